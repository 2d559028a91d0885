"""SVG as a light tree: parsed once with expat, and parts of it written back as text exactly as
xml.dom.minidom wrote them, at a fraction of the cost of minidom's node objects (a page's frames hold
some hundred thousand nodes). The HTML pages cut Graphviz's and matplotlib's SVG into parts with it."""

from __future__ import annotations

from xml.parsers import expat


class Node:
    """An element: its tag and attributes as written (qualified names), and its children: elements,
    text (str) and Other (comments and the like, written back as they were)."""

    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: list[str]):
        self.tag = tag
        self.attrs = dict(zip(attrs[::2], attrs[1::2], strict=True))
        self.children: list = []

    def elements(self):
        """Itself and every element inside it, in document order, each with its parent (None here)."""
        stack: list[tuple[Node | None, Node]] = [(None, self)]
        while stack:
            parent, node = stack.pop()
            yield parent, node
            stack.extend((node, c) for c in reversed(node.children) if type(c) is Node)


class Other(str):
    """Markup other than an element or text (a comment), kept as written out."""


def parse(svg: bytes | str) -> Node:
    """The document's root element. Expat reads it, as xml.dom.minidom would (names as written,
    entities and character references resolved, attribute values normalized), at a fraction of the
    cost of minidom's node objects: a page's frames hold some hundred thousand nodes."""
    root = Node("", [])
    stack = [root]
    cdata: list[list[str] | None] = [None]  # the text of the CDATA section being read

    def start(tag, attrs):
        node = Node(tag, attrs)
        stack[-1].children.append(node)
        stack.append(node)

    def text(data):
        children = stack[-1].children
        if cdata[0] is not None:
            cdata[0].append(data)
        elif children and type(children[-1]) is str:
            children[-1] += data
        else:
            children.append(data)

    def cdata_section(inside):
        if not inside and cdata[0]:
            stack[-1].children.append(Other(f"<![CDATA[{''.join(cdata[0])}]]>"))
        cdata[0] = [] if inside else None

    parser = expat.ParserCreate()
    parser.buffer_text = parser.ordered_attributes = parser.specified_attributes = True
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _: stack.pop()
    parser.CharacterDataHandler = text
    parser.CommentHandler = lambda data: stack[-1].children.append(Other(f"<!--{data}-->"))
    parser.ProcessingInstructionHandler = lambda t, d: stack[-1].children.append(Other(f"<?{t} {d}?>"))
    parser.StartCdataSectionHandler = lambda: cdata_section(True)
    parser.EndCdataSectionHandler = lambda: cdata_section(False)
    parser.Parse(svg, True)
    return next(c for c in root.children if type(c) is Node)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").replace(">", "&gt;")


def markup(node, drop_ids: bool = False) -> str:
    """A node written back as minidom's toxml() writes it (namespace declarations first), without
    the elements' ids if `drop_ids`."""
    out: list[str] = []

    def write(node):
        if type(node) is not Node:
            out.append(node if type(node) is Other else _escape(node))
            return
        out.append("<" + node.tag)
        attrs = node.attrs
        if any(a == "xmlns" or a.startswith("xmlns:") for a in attrs):
            attrs = {**{a: v for a, v in attrs.items() if a == "xmlns" or a.startswith("xmlns:")}, **attrs}
        for name, value in attrs.items():
            if not (drop_ids and name == "id"):
                out.append(f' {name}="{_escape(value)}"')
        if not node.children:
            out.append("/>")
            return
        out.append(">")
        for child in node.children:
            write(child)
        out.append(f"</{node.tag}>")

    write(node)
    return "".join(out)
