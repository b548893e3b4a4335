"""dlt sources, one package per API. Shared error types and HTTP helpers live beside them."""
