"""Forms of the back office pages, one module per topic, as the views."""
