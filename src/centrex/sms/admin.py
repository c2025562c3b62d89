"""Nothing of this app is in the Django admin, on purpose: the queue's rows are moved only by
`enqueue`, `queue` and the dispatcher (R-T4, R-T5), and people read the SMS they may see in
«SMS inviati» and the operators' traceability export."""
