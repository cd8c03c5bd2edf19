"""axe-core for browser tests: the copy vendored from npm (tests/browser/vendor/axe.min.js, MPL-2.0,
see the README) is injected into the page under test only; no page of the app loads it.

The page's context must be made with ``bypass_csp=True``: the app's Content-Security-Policy refuses
inline scripts, and injecting axe is one."""
from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

_RUN_JS = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then((result) => result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n')[1])})))"""


def axe_violations(page, tags=WCAG_TAGS):
    """The WCAG A/AA violations axe finds on the page as it is now: ``[{id, impact, help, nodes}]``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(_RUN_JS, list(tags))


def describe(found):
    """``{where: violations}`` as lines a failing assertion can show."""
    return "\n".join(f"{where}: {v['id']} ({v['impact']}) {v['help']}: {v['nodes']}"
                     for where, violations in found.items() for v in violations)
