from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo firm (manage.py seed_demo, built from each app's demo module) and the benchmark
    data set (manage.py seed_bench). It reads every app and nothing imports it; it has no
    models."""

    name = "demo"
    verbose_name = "Demo and benchmark data"
