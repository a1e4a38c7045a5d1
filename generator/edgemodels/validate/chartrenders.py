"""Every chart of the tree rendered, side by side in threads (Helm's Go code releases the
GIL), each handed on as it is ready; charts with the same templates share one full lint.

Apart from pipeline.py, which decides what is checked when, this holds how the renders
run (a pool, a gate, the result cache's renders taken as they are, a stop that lets the
renders begun end before their scratch folder goes) and which Subscriptions or
ApplicationSets give each chart its values (`refs_by_chart`, which the result cache's keys
use too). Like pipeline.py, it is imported only once the builds are under way (run.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future, as_completed
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path

from edgemodels.validate.backends import SchemaSettings
from edgemodels.validate.chartlint import scratch_folder, shared_lints
from edgemodels.validate.gitpaths import PackageRef
from edgemodels.validate.helm import Rendered, render_chart, shared_lint
from edgemodels.validate.report import Finding
from edgemodels.validate.run import ValidateOptions


def render_charts(
    root: Path,
    charts: Sequence[str],
    refs: Sequence[PackageRef],
    settings: SchemaSettings,
    pool: Executor,
    options: ValidateOptions,
    each: Callable[[Rendered], object] = lambda rendered: None,
    gate: AbstractContextManager[object] | None = None,
    sharing: Mapping[str, str] | None = None,
    taken: Mapping[str, Rendered] | None = None,
) -> tuple[dict[str, Rendered], list[Finding]]:
    """Every chart rendered; charts with the same templates share one full lint. `each` is
    given each chart's renders as they are ready; a chart renders inside `gate`. `sharing`:
    chartlint.shared_lints of the charts (found here without it); `taken`: the renders of
    charts the result cache holds, which are not rendered again."""
    version = settings.kubernetes_version
    sharing = shared_lints(root, charts) if sharing is None else sharing
    taken = taken or {}
    by_chart = refs_by_chart(refs)
    futures: dict[str, Future[Rendered]] = {}
    with scratch_folder() as scratch:
        try:
            # The bar is made before any chart renders: it asks whether stderr is a
            # terminal, and during a Helm call stderr is a pipe (helmlog.py).
            todo = [c for c in charts if c not in taken]
            with options.progress(todo, "rendering charts") as bar:
                for c in todo:
                    task = partial(
                        render_chart, root, c, by_chart.get(c, []), version, c in sharing
                    )
                    futures[c] = pool.submit(
                        _holding, gate or nullcontext(), partial(task, Path(scratch))
                    )
                # As they finish, not in order: a slow chart would hold up the rest.
                finished = as_completed(futures.values())
                for _ in bar:
                    each(next(finished).result())
        except BaseException:  # Ctrl-C, or a render failing: drop the charts not begun,
            pool.shutdown(cancel_futures=True)  # and let those begun end before `scratch` goes
            raise
    rendered = {c: taken[c] if c in taken else futures[c].result() for c in charts}
    found: list[Finding] = []
    for more in pool.map(
        lambda c: shared_lint(root, c, rendered[c], rendered[sharing[c]], version), sharing
    ):
        found += more
    return rendered, found


def refs_by_chart(refs: Sequence[PackageRef]) -> dict[str, list[PackageRef]]:
    by_chart: dict[str, list[PackageRef]] = {}
    for ref in refs:
        if ref.relative is not None:
            by_chart.setdefault(ref.relative, []).append(ref)
    return by_chart


def _holding(gate: AbstractContextManager[object], render: Callable[[], Rendered]) -> Rendered:
    with gate:
        return render()
