"""What each environment's Glue jobs will cost per month (`alurc cost`, `alurc plan`)."""
