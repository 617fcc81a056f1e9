"""Random YAML and mutated examples never produce a traceback: only InputErrors or success."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from agreement_builder.errors import InputError
from agreement_builder.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [p.read_text() for p in sorted((ROOT / "agreements").glob("*.yaml"))]

yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=20),
    st.sampled_from(["2016-07-19", "2016-13-45", "0x1f", ".inf", "~", "yes", "1e400", "-0", "£1", "{{ x }}"]),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["agreement", "forces", "lead_force", "functions", "clauses", "title",
                                         "id", "budget", "apportionment", "formula", "summit", "x"]), children, max_size=5),
    ),
    max_leaves=25,
)


def dump(value) -> str:
    import json
    return json.dumps(value, default=str)  # JSON is YAML


def check_no_traceback(tmp: Path, text: str | bytes) -> None:
    path = tmp / "agreements" / "fuzz.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text.encode("utf-8", "replace") if isinstance(text, str) else text)
    issues = check_file(path, parties=ROOT / "parties.yaml")
    for issue in issues:
        assert issue.position.file.endswith("fuzz.yaml") or issue.position.file.endswith("parties.yaml") or "jps" in issue.position.file
        assert issue.message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(yaml_values)
def test_random_yaml(tmp_path, value):
    check_no_traceback(tmp_path, dump(value))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=len(EXAMPLES) - 1), st.randoms(use_true_random=False))
def test_mutated_examples(tmp_path, which, rnd: random.Random):
    lines = EXAMPLES[which].splitlines(keepends=True)
    for _ in range(rnd.randint(1, 4)):
        i = rnd.randrange(len(lines))
        op = rnd.randrange(7)
        line = lines[i]
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rnd.randrange(len(lines))])
        elif op == 2 and line.strip():
            cut = rnd.randrange(len(line))
            lines[i] = line[:cut] + line[cut + 1:]
        elif op == 3:
            lines[i] = " " + line
        elif op == 4:
            lines[i] = line.replace(":", "", 1)
        elif op == 5:
            lines[i] = line.replace("0", rnd.choice(["-1", "", "x", "0.001", "1e3"]), 1)
        else:
            j = rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        if not lines:
            break
    check_no_traceback(tmp_path, "".join(lines))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_random_bytes(tmp_path, data):
    check_no_traceback(tmp_path, data)
