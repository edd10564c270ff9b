"""The project's own apps, for the tests that read its source (app boundaries, task wiring, the
package list). A virtualenv inside the checkout, as CI's `.venv` is, puts installed apps under
the same folder: they are not the project's."""

import sys
from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()
_ENVIRONMENT = Path(sys.prefix).resolve()


def is_ours(path: Path) -> bool:
    path = path.resolve()
    return (
        path.is_relative_to(ROOT)
        and not path.is_relative_to(_ENVIRONMENT)
        and "site-packages" not in path.parts
    )


def project_app_configs() -> list[AppConfig]:
    return [config for config in apps.get_app_configs() if is_ours(Path(config.path))]
