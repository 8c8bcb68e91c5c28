"""Login with Amazon: the token endpoint (``token``) and the client secrets it accepts (``client_secrets``)."""
