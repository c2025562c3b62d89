"""Every form widget of the portal gets its Bootstrap class (issue 14), so forms.py never
repeats presentation: `FORM_RENDERER` in settings.py.

Django renders each widget through the form renderer's public `render(template_name, context)`;
this renderer adds the class the design system expects for the widget's kind (`form-control`,
`form-select`, `form-check-input`) to the widget's own attributes, and `is-invalid` where Django
marked the field `aria-invalid` (it has errors). A class set on a widget in a form is kept.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest

# The widget template's name (Django's own, django/forms/widgets/<name>.html) → the class.
CLASS_BY_TEMPLATE = {
    "select": "form-select",
    "select_multiple": "form-select",
    "checkbox": "form-check-input",
    "radio": "form-check-input",
    "checkbox_select": "form-check-input",
    "hidden": "",
    "multiple_hidden": "",
}
DEFAULT_CLASS = "form-control"


def _template_kind(template_name: str) -> str:
    return template_name.rsplit("/", 1)[-1].removesuffix(".html")


def _add_classes(widget: dict[str, Any], option: bool = False) -> None:
    """Adds the class to one widget's attributes, to its sub-widgets' (a MultiWidget) and to
    its options' (radio buttons and checkboxes in a list)."""
    kind = _template_kind(str(widget.get("template_name", "")))
    wanted = "form-check-input" if option else CLASS_BY_TEMPLATE.get(kind, DEFAULT_CLASS)
    if kind in {"radio", "checkbox_select"} and not option:
        for _group, options, _index in widget.get("optgroups", ()):
            for choice in options:
                _add_classes(choice, option=True)
        return
    attrs = widget.setdefault("attrs", {})
    classes = str(attrs.get("class", "")).split()
    if attrs.get("aria-invalid") in {True, "true"}:
        wanted = f"{wanted} is-invalid".strip()
    for name in wanted.split():
        if name not in classes:
            classes.append(name)
    if classes:
        attrs["class"] = " ".join(classes)
    for sub in widget.get("subwidgets", ()):
        _add_classes(sub)


class PortalFormRenderer(DjangoTemplates):
    """Django's template renderer, with the design system's classes on every widget."""

    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict) and template_name.startswith("django/forms/widgets/"):
            _add_classes(widget)
        return super().render(template_name, context, request=request)
