"""SMSC transport: the SMPP 3.4 codec, delivery receipts, the dispatcher and the simulator."""
