"""The Faceless service: REST API, accounts, organisations, projects and jobs (`faceless serve`)."""
