"""Reading the page in AppTest as a reader sees it."""

import html
import re


def shown(markdown: str) -> str:
    """The text of Markdown whose untrusted parts are code spans: the fences removed."""
    return re.sub(r"(`+) (.*?) \1", r"\2", markdown)


def sentence(at) -> str:
    """The filter sentence ("Showing N of M deployments…"), unescaped."""
    body = next(h.value for h in at.get("html") if "atlas-sentence" in h.value)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def multiselect(at, label):
    """The sidebar multiselect with this label."""
    return next(w for w in at.multiselect if w.label == label)


def map_rows(at) -> list[int]:
    """The row indices the page sent to the map for drawing (the deployments the map shows)."""
    import base64
    import json

    component = at.get("component_instance")[0]
    script = json.loads(component.proto.json_args)["feature_group"]
    bits = base64.b64decode(json.loads(re.search(r"Atlas\.rowsFromBitset\((\"[^\"]*\")\)", script).group(1)))
    return [i for i in range(len(bits) * 8) if bits[i // 8] >> (i % 8) & 1]


def url_params(at) -> dict[str, list[str]]:
    """The page's query parameters, each as a list of values."""
    return {k: (v if isinstance(v, list) else [v]) for k, v in at.query_params.items()}


def map_call_arguments(at, call: str) -> list:
    """The JSON arguments the map's layer script passes to `call` (e.g. "Atlas.showSummary(L, map, group, ":
    the arguments after that prefix, up to the closing parenthesis)."""
    import json

    component = at.get("component_instance")[0]
    script = json.loads(component.proto.json_args)["feature_group"]
    at_ = script.index(call) + len(call)
    decoder, arguments = json.JSONDecoder(), []
    while True:
        value, at_ = decoder.raw_decode(script, at_)
        arguments.append(value)
        if script[at_] == ")":
            return arguments
        at_ += len(", ")


def map_summary(at) -> dict:
    """The summary of the view the page sent to a large dataset's map (geo/aggregate.py)."""
    return map_call_arguments(at, "Atlas.showSummary(L, map, group, ")[0]
