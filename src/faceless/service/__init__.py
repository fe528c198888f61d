"""The service layer every door shares (server, worker, CLI): database engine and models, the job lease
machine, the job queue, usage metering and settings. It imports domain, pipeline, providers, storage and
render; never server, worker or cli."""
