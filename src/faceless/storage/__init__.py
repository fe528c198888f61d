"""Where bytes live: the content-addressed artifact cache and blob stores."""
