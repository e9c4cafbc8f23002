from bench.suites import claims, connectors, queue, web  # noqa: F401
