"""Reading Centrex Portal's configuration from the environment (API.md "Configuration")."""
