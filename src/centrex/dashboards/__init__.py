"""The home pages that say what needs attention (issue 14). The customer's home reads the
sender policy (senders), the aliases, the SMS and who is online on Communicator, so it stands
above all of them (DESIGN "Layers": `core` ← … ← `sms` ← `dashboards`); the operators' home is
the back office's dashboard."""
