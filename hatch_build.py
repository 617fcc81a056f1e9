"""Build hook: a wheel carries the shipped templates and the example workspace inside the package.

They live once, at the repository's top level where DESIGN.md §2 puts them (`templates/`,
`annexes/`, `parties.yaml`, `summit.yaml`, `agreements/`). A wheel maps them to
`agreement_builder/data/`, where `agreement_builder.templates` looks first. An editable
install copies nothing: the package then finds them beside itself, in the checkout, so an
edit to a template is seen at once and there is never a second, stale copy.
"""

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: Repository path -> path inside the wheel.
SHIPPED = {
    "templates": "agreement_builder/data/templates",
    "annexes": "agreement_builder/data/annexes",
    "parties.yaml": "agreement_builder/data/example/parties.yaml",
    "summit.yaml": "agreement_builder/data/example/summit.yaml",
    "agreements": "agreement_builder/data/example/agreements",
}


class ShippedFilesHook(BuildHookInterface):
    PLUGIN_NAME = "shipped-files"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name == "wheel" and version != "editable":
            build_data["force_include"].update(SHIPPED)
