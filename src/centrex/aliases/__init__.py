"""SMS sender aliases (R-A*): the text rules, the relatedness hint and the editable word lists.

Pure rule modules for now; the lifecycle, consent, SLA and registry parts join them as an app.
"""
