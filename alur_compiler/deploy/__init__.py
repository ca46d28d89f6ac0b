"""The only layer that talks to AWS: the terraform driver, bootstrap and the Glue job runner."""
