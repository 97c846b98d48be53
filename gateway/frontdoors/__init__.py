"""Front doors that speak other systems' protocols on top of the gateway (Trino, ...)."""
