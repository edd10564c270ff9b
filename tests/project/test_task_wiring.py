"""How every app wires Celery, read from the source so a new task or service follows it too:

- services.py imports its tasks at the top; tasks.py imports its services inside the task
  bodies, so the two never import each other at load time;
- a task is queued only once the transaction commits (`delay_on_commit`), never with a bare
  `.delay()` that a worker could run before the rows it needs are visible;
- a task takes ids or plain values, never a model instance;
- what every task shares (acks_late, ignore_result) is a Celery setting, not repeated per task.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from tests.sources import project_app_configs

PLAIN_TYPES = {"int", "str", "bool", "float", "dict", "list", "None"}
QUEUE_NOW = {"delay", "apply_async"}
QUEUE_ON_COMMIT = {"delay_on_commit", "apply_async_on_commit"}
SET_ONCE = {"acks_late", "ignore_result", "reject_on_worker_lost"}


def _project_apps() -> list[Path]:
    return sorted(Path(config.path) for config in project_app_configs())


def _sources() -> list[Path]:
    """Every module of the project's apps, migrations and tests apart."""
    return [
        path
        for app in _project_apps()
        for path in sorted(app.rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}"


def _imports(node: ast.AST, name: str) -> bool:
    """Whether an import statement brings in a module called `name` (of any app)."""
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[-1] == name for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        module = (node.module or "").split(".")[-1]
        return module == name or any(alias.name == name for alias in node.names)
    return False


def _tasks(tree: ast.Module) -> list[ast.FunctionDef]:
    def is_task(decorator: ast.expr) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        return getattr(target, "id", getattr(target, "attr", None)) == "shared_task"

    return [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(map(is_task, node.decorator_list))
    ]


def _is_plain(annotation: ast.expr | None) -> bool:
    match annotation:
        case ast.Name(id=name) | ast.Constant(value=name):
            return str(name) in PLAIN_TYPES
        case ast.Subscript(value=container, slice=inner):
            items = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            return _is_plain(container) and all(map(_is_plain, items))
        case ast.BinOp(op=ast.BitOr(), left=left, right=right):
            return _is_plain(left) and _is_plain(right)
    return False


def test_the_apps_that_use_celery_are_all_read():
    with_tasks = {app.name for app in _project_apps() if (app / "tasks.py").exists()}
    assert {"actions", "dashboard", "feedback", "retrospectives"} <= with_tasks


def test_a_task_module_imports_services_only_inside_its_task_bodies():
    wrong = [
        _where(path, node)
        for path in _sources()
        if path.name == "tasks.py"
        for node in _tree(path).body
        if _imports(node, "services")
    ]
    assert wrong == [], "import the services inside the task body, so services can import tasks"


def test_a_module_imports_tasks_only_at_its_top():
    wrong = [
        _where(path, node)
        for path in _sources()
        for function in ast.walk(_tree(path))
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if _imports(node, "tasks")
    ]
    assert wrong == [], "import tasks at the top of services.py (tasks import services lazily)"


def test_only_services_queue_tasks():
    wrong = [
        _where(path, node)
        for path in _sources()
        if path.name not in ("services.py", "tasks.py")
        for node in ast.walk(_tree(path))
        if _imports(node, "tasks")
    ]
    assert wrong == [], "call a service; the services decide when a task is queued"


def test_a_task_is_queued_only_once_the_transaction_commits():
    wrong = [
        _where(path, node)
        for path in _sources()
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Attribute) and node.attr in QUEUE_NOW
    ]
    assert wrong == [], "queue with task.delay_on_commit(...): a worker must see committed rows"


def _local_plain_values(function: ast.FunctionDef) -> set[str]:
    """Names the function assigns from a literal dict, list, string or number."""
    literals = (ast.Dict, ast.DictComp, ast.List, ast.ListComp, ast.Constant, ast.JoinedStr)
    return {
        target.id
        for node in ast.walk(function)
        if isinstance(node, ast.Assign) and isinstance(node.value, literals)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _is_an_id(argument: ast.expr, plain_names: set[str]) -> bool:
    match argument:
        case ast.Constant():
            return True
        case ast.Attribute(attr=attr):
            return attr in ("pk", "id") or attr.endswith("_id")
        case ast.Name(id=name):
            return name == "pk" or name.endswith(("_id", "_ids")) or name in plain_names
    return False


def test_a_task_is_queued_with_ids_never_with_objects():
    wrong = []
    for path in _sources():
        for function in ast.walk(_tree(path)):
            if not isinstance(function, ast.FunctionDef):
                continue
            plain = _local_plain_values(function)
            for node in ast.walk(function):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr not in QUEUE_ON_COMMIT:
                    continue
                arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
                if not all(_is_an_id(argument, plain) for argument in arguments):
                    wrong.append(_where(path, node))
    assert wrong == [], "pass `obj.pk` (or plain values): the worker reads the committed row"


def test_a_task_takes_only_ids_and_plain_values():
    wrong = []
    for path in _sources():
        if path.name != "tasks.py":
            continue
        for task in _tasks(_tree(path)):
            arguments = [*task.args.posonlyargs, *task.args.args, *task.args.kwonlyargs]
            wrong += [
                f"{_where(path, task)} {task.name}({argument.arg})"
                for argument in arguments
                if not _is_plain(argument.annotation)
            ]
    assert wrong == [], "annotate each task argument as an id or a plain JSON value"


def test_every_task_leaves_what_they_all_share_to_the_celery_settings():
    wrong = [
        f"{_where(path, task)} {task.name}: {keyword.arg}"
        for path in _sources()
        if path.name == "tasks.py"
        for task in _tasks(_tree(path))
        for decorator in task.decorator_list
        if isinstance(decorator, ast.Call)
        for keyword in decorator.keywords
        if keyword.arg in SET_ONCE
    ]
    assert wrong == [], "set it once as CELERY_TASK_* in learnorg/settings.py"


@pytest.mark.parametrize("option", sorted(SET_ONCE))
def test_the_shared_task_options_are_celery_settings(option):
    assert getattr(settings, f"CELERY_TASK_{option.upper()}") is True
