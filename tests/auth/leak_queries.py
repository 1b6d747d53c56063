"""Random queries over the whole graph that reach the small city's real rows.

hypothesis-graphql generates valid queries from the SDL, but draws every ``String``
argument from one strategy, so ``person(idNumber:)`` would almost never name a resident.
Here each key argument is first retyped, in a copy of the SDL only, as a scalar of its own
(``IdNumberKey``, ``GridKey``, ``PageSize`` …) whose strategy draws real keys: the demo
resident and family, residents inside and outside the demo grid, its grid, street and
district, places, plates, events. The printed query is valid against the real schema.

Each query is then disguised at random, as a client might write it: aliases, the same
field twice, inline fragments (typed or not), named fragments and arguments passed as
variables. The same field must get the same decision however it is reached.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import TYPE_CHECKING, Any, TypeVar

import graphql
from hypothesis import strategies as st
from hypothesis_graphql import queries

from citybrain.auth.sensitivity import Sensitivity
from citybrain.connectors import encode_cursor
from citybrain.schema import schema_sdl
from citybrain.schema.classes import AUDIT_KEYS, FIELD_CLASSES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["GeneratedQuery", "Keys", "graph_queries", "real_schema"]

_Node = TypeVar("_Node", bound=graphql.Node)

# (type, field, argument) -> the key scalar its value is drawn from; "*" matches any.
ARGUMENT_KEYS: dict[tuple[str, str, str], str] = {
    ("*", "*", "idNumber"): "IdNumberKey",
    ("*", "*", "gridCode"): "GridKey",
    ("*", "*", "placeCode"): "PlaceKey",
    ("*", "*", "plate"): "PlateKey",
    ("*", "*", "first"): "PageSize",
    ("*", "*", "after"): "CursorKey",
    ("Query", "grid", "code"): "GridKey",
    ("Query", "community", "code"): "CommunityKey",
    ("Query", "street", "code"): "StreetKey",
    ("Query", "district", "code"): "DistrictKey",
    ("Query", "event", "id"): "EventKey",
    ("EventFilter", "*", "regionCode"): "RegionKey",
    ("EventFilter", "*", "categoryCode"): "CategoryKey",
    ("AuditRecordFilter", "*", "entityKey"): "IdNumberKey",
    ("AuditRecordFilter", "*", "entityType"): "EntityTypeKey",
    ("AuditRecordFilter", "*", "subject"): "SubjectKey",
}
# Always sent, 1 to 5: a null `first` means a default page, and pages nest.
REQUIRED_KEYS = frozenset({"PageSize"})
# At most so many fields selected twice in a query (a copy doubles a subtree).
MAX_COPIES = 3
# Type -> its personal and sensitive fields: what extra fields are drawn from.
PERSONAL_FIELDS = {
    type_name: frozenset(
        name
        for name, level in fields.items()
        if level in (Sensitivity.PERSONAL, Sensitivity.SENSITIVE)
    )
    for type_name, fields in FIELD_CLASSES.items()
}
# Fields whose values the leak test recognises (ID numbers, phones, health data), and
# the object fields that lead to them: half the extra fields are drawn from these.
TRACED_FIELDS = {
    "Person": frozenset(
        "idNumber phone healthCode latestNucleicAcidTest nucleicAcidTests vaccinations "
        "elderlyCare household".split()
    ),
    "HealthCode": frozenset({"color", "reason"}),
    "NucleicAcidTest": frozenset({"result", "institution"}),
    "Vaccination": frozenset({"vaccine", "site"}),
    "ElderlyCare": frozenset({"provider", "serviceType"}),
    "GridWorker": frozenset({"phone"}),
    "Grid": frozenset({"residents", "households", "workers"}),
    "Household": frozenset({"head", "members"}),
    "GridEvent": frozenset({"reporter"}),
    "DriverLicence": frozenset({"person"}),
    "Vehicle": frozenset({"owner"}),
    "Place": frozenset({"scans"}),
    "PlaceScan": frozenset({"person"}),
    "AuditRecordPage": frozenset({"records"}),
    "AuditRecord": frozenset({"entityKey"}),
}
# Root fields whose answers hold persons, their records or their keys (see graph_queries).
PERSONAL_ROOT_FIELDS = (
    "person",
    "persons",
    "_entities",
    "me",
    "grid",
    "events",
    "driver",
    "vehicle",
    "auditRecords",
)
# At most so many selection sets get extra fields (see _Disguise.extra_fields).
MAX_EXTRAS = 6
# Root fields that are no business of access control (`_service` prints the SDL).
SKIPPED_ROOT_FIELDS = frozenset({"_service"})


@dataclasses.dataclass(frozen=True)
class Keys:
    """Real keys of the small city to put in arguments (see the test's ``keys`` fixture)."""

    id_numbers: tuple[str, ...]  # the first is drawn most often
    grids: tuple[str, ...]  # likewise
    places: tuple[str, ...]
    plates: tuple[str, ...]
    events: tuple[int, ...]
    categories: tuple[str, ...]
    subjects: tuple[str, ...] = ("test-user",)


@dataclasses.dataclass(frozen=True)
class GeneratedQuery:
    """A query as posted: its text and variables."""

    text: str
    variables: dict[str, Any]


def real_schema() -> graphql.GraphQLSchema:
    """The served schema (from its SDL), to validate generated queries against."""
    return graphql.build_ast_schema(graphql.parse(schema_sdl()), assume_valid_sdl=True)


def _replace(node: _Node, **changes: Any) -> _Node:
    """A copy of an (immutable) AST node with some attributes changed."""
    values = {key: getattr(node, key) for key in node.keys}
    values.update(changes)
    return type(node)(**values)


def _name(value: str) -> graphql.NameNode:
    return graphql.NameNode(value=value)


def _key_scalar(owner: str, field: str, argument: str) -> str | None:
    for candidate in ((owner, field), (owner, "*"), ("*", "*")):
        found = ARGUMENT_KEYS.get((*candidate, argument))
        if found is not None:
            return found
    return None


def _retyped(owner: str, field: str, value: Any, used: set[str]) -> Any:
    """An argument or input field whose type is its key scalar, if it has one."""
    key = _key_scalar(owner, field, value.name.value)
    if key is None:
        return value
    used.add(key)
    named = graphql.NamedTypeNode(name=_name(key))
    if key in REQUIRED_KEYS or isinstance(value.type, graphql.NonNullTypeNode):
        default = None if key in REQUIRED_KEYS else value.default_value
        return _replace(value, type=graphql.NonNullTypeNode(type=named), default_value=default)
    return _replace(value, type=named)


def keyed_sdl() -> graphql.DocumentNode:
    """The SDL with key arguments retyped as key scalars (for generating queries only)."""
    document = graphql.parse(schema_sdl())
    used: set[str] = set()
    definitions: list[graphql.DefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, graphql.ObjectTypeDefinitionNode):
            owner = definition.name.value
            fields = tuple(
                _replace(
                    field,
                    arguments=tuple(
                        _retyped(owner, field.name.value, argument, used)
                        for argument in field.arguments or ()
                    ),
                )
                for field in definition.fields or ()
            )
            definition = _replace(definition, fields=fields)
        elif isinstance(definition, graphql.InputObjectTypeDefinitionNode):
            owner = definition.name.value
            inputs = tuple(_retyped(owner, "*", field, used) for field in definition.fields or ())
            definition = _replace(definition, fields=inputs)
        definitions.append(definition)
    scalars = [
        graphql.ScalarTypeDefinitionNode(name=_name(name), directives=()) for name in sorted(used)
    ]
    return graphql.DocumentNode(definitions=(*definitions, *scalars))


def _strings(values: Iterable[str]) -> st.SearchStrategy[graphql.ValueNode]:
    return st.sampled_from(sorted(set(values))).map(lambda v: graphql.StringValueNode(value=v))


def _object(fields: dict[str, graphql.ValueNode]) -> graphql.ObjectValueNode:
    return graphql.ObjectValueNode(
        fields=tuple(
            graphql.ObjectFieldNode(name=_name(name), value=value) for name, value in fields.items()
        )
    )


def _representations(keys: Keys) -> st.SearchStrategy[graphql.ValueNode]:
    """``_Any`` values for ``_entities``: a Person, Place, Grid or GridEvent by its key."""

    def typed(name: str, key: str, values: st.SearchStrategy[graphql.ValueNode]) -> Any:
        return values.map(
            lambda v: _object({"__typename": graphql.StringValueNode(value=name), key: v})
        )

    return st.one_of(
        typed("Person", "idNumber", _strings(keys.id_numbers)),
        typed("Place", "placeCode", _strings(keys.places)),
        typed("Grid", "code", _strings(keys.grids)),
        typed("GridEvent", "id", _ints(keys.events)),
    )


def _ints(values: Iterable[int]) -> st.SearchStrategy[graphql.ValueNode]:
    return st.sampled_from(sorted(set(values))).map(lambda v: graphql.IntValueNode(value=str(v)))


def key_strategies(keys: Keys) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """A strategy of value nodes for each key scalar (and the schema's own scalars)."""
    regions = {code[:n] for code in keys.grids for n in (6, 9, 12, 15)}
    moments = ["2021-06-01T00:00:00", "2022-01-01T08:00:00+08:00", "2023-12-31T23:59:59"]
    cursors = [encode_cursor([key]) for key in keys.id_numbers[:4]] + ["bm90LWEtY3Vyc29y"]
    return {
        # The first key (the demo resident, the demo grid) half the time: in every
        # department and in every local caller's jurisdiction.
        "IdNumberKey": _strings(keys.id_numbers[:1]) | _strings(keys.id_numbers),
        "GridKey": _strings(keys.grids[:1]) | _strings(keys.grids),
        "CommunityKey": _strings(code[:12] for code in keys.grids),
        "StreetKey": _strings(code[:9] for code in keys.grids),
        "DistrictKey": _strings(code[:6] for code in keys.grids),
        "RegionKey": _strings(regions),
        "PlaceKey": _strings(keys.places),
        "PlateKey": _strings(keys.plates),
        "EventKey": _ints(keys.events),
        "CategoryKey": _strings(keys.categories),
        "EntityTypeKey": _strings(AUDIT_KEYS),
        "SubjectKey": _strings(keys.subjects),
        # null first: a failing query shrinks to one without a cursor
        "CursorKey": st.just(graphql.NullValueNode()) | _strings(cursors),
        "PageSize": st.integers(1, 5).map(lambda n: graphql.IntValueNode(value=str(n))),
        "DateTime": _strings(moments),
        "Date": _strings(m[:10] for m in moments),
        "_Any": _representations(keys),
    }


def _type_node(type_: graphql.GraphQLInputType) -> graphql.TypeNode:
    if isinstance(type_, graphql.GraphQLNonNull):
        inner = _type_node(type_.of_type)
        assert isinstance(inner, graphql.NamedTypeNode | graphql.ListTypeNode)
        return graphql.NonNullTypeNode(type=inner)
    if isinstance(type_, graphql.GraphQLList):
        return graphql.ListTypeNode(type=_type_node(type_.of_type))
    assert isinstance(type_, graphql.GraphQLNamedType)
    return graphql.NamedTypeNode(name=_name(type_.name))


class _Disguise:
    """Rewrites a generated query with aliases, fragments and variables, drawn at random."""

    def __init__(self, draw: st.DrawFn, schema: graphql.GraphQLSchema) -> None:
        self.draw = draw
        self.schema = schema
        self.numbers = itertools.count(1)
        self.copies = 0  # fields selected twice: each copies its whole subtree
        self.extras = 0  # selection sets given extra fields
        self.fragments: list[graphql.FragmentDefinitionNode] = []
        self.variables: dict[str, Any] = {}
        self.definitions: list[graphql.VariableDefinitionNode] = []

    def chance(self, label: str) -> bool:
        return self.draw(st.integers(0, 3), label) == 3  # one in four; shrinks to no

    def selections(
        self, node: graphql.SelectionSetNode, parent: graphql.GraphQLNamedType
    ) -> graphql.SelectionSetNode:
        found: list[graphql.SelectionNode] = []
        for selection in node.selections:
            if isinstance(selection, graphql.FieldNode):
                found.extend(self.field(selection, parent))
            elif isinstance(selection, graphql.InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.type_map[condition.name.value] if condition else parent
                found.append(
                    _replace(
                        selection, selection_set=self.selections(selection.selection_set, inner)
                    )
                )
            else:
                found.append(selection)
        if (
            isinstance(parent, graphql.GraphQLObjectType)
            and parent is not self.schema.query_type
            and self.extras < MAX_EXTRAS
            and self.draw(st.booleans(), "extra fields")
        ):
            self.extras += 1
            found.extend(self.extra_fields(parent, depth=3))
        return graphql.SelectionSetNode(selections=tuple(found))

    def extra_fields(
        self, parent: graphql.GraphQLObjectType, depth: int
    ) -> list[graphql.SelectionNode]:
        """A few more fields of ``parent``, aliased, to reach more of the graph per query.

        hypothesis-graphql picks each field with a small probability, so a query seldom
        reaches, say, ``healthCode { reason }``; this adds such paths, to ``depth`` levels.
        """
        names = [
            name
            for name, field in sorted(parent.fields.items())
            if depth > 0 or graphql.is_leaf_type(graphql.get_named_type(field.type))
        ]
        personal = [name for name in names if name in PERSONAL_FIELDS.get(parent.name, ())]
        traced = [name for name in names if name in TRACED_FIELDS.get(parent.name, ())]
        prefer_traced: bool = bool(traced) and self.draw(st.booleans(), "traced fields")
        # else personal and sensitive fields, where the type has any
        names = traced if prefer_traced else (personal or names)
        if not names:
            return []
        chosen = self.draw(
            st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True), "extra"
        )
        found: list[graphql.SelectionNode] = []
        for name in chosen:
            field = parent.fields[name]
            target = graphql.get_named_type(field.type)
            arguments: tuple[graphql.ArgumentNode, ...] = ()
            if "first" in field.args:
                size = graphql.IntValueNode(value=str(self.draw(st.integers(1, 3), "first")))
                arguments = (graphql.ArgumentNode(name=_name("first"), value=size),)
            selection_set = None
            if isinstance(target, graphql.GraphQLObjectType):
                inner = self.extra_fields(target, depth - 1)
                if not inner:
                    continue
                selection_set = graphql.SelectionSetNode(selections=tuple(inner))
            elif not graphql.is_leaf_type(target):
                continue  # a union or interface: _entities' own business
            found.append(
                graphql.FieldNode(
                    alias=_name(f"x{next(self.numbers)}_{name}"),
                    name=_name(name),
                    arguments=arguments,
                    directives=(),
                    selection_set=selection_set,
                )
            )
        return found

    def field(
        self, node: graphql.FieldNode, parent: graphql.GraphQLNamedType
    ) -> list[graphql.SelectionNode]:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, graphql.GraphQLObjectType):
            return [node]
        definition = parent.fields[name]
        arguments = tuple(self.argument(a, definition) for a in node.arguments or ())
        node = _replace(node, arguments=arguments)
        if node.selection_set is not None:
            target = graphql.get_named_type(definition.type)
            inner = self.selections(node.selection_set, target)
            if self.chance("named fragment"):
                fragment = f"F{next(self.numbers)}"
                self.fragments.append(
                    graphql.FragmentDefinitionNode(
                        name=_name(fragment),
                        type_condition=graphql.NamedTypeNode(name=_name(target.name)),
                        selection_set=inner,
                        directives=(),
                    )
                )
                spread = graphql.FragmentSpreadNode(name=_name(fragment), directives=())
                inner = graphql.SelectionSetNode(selections=(spread,))
            node = _replace(node, selection_set=inner)
        if node.alias is None and self.chance("alias"):
            node = _replace(node, alias=_name(f"a{next(self.numbers)}_{name}"))
        found: list[graphql.SelectionNode] = [node]
        if self.copies < MAX_COPIES and self.chance("twice"):
            self.copies += 1
            found.append(_replace(node, alias=_name(f"b{next(self.numbers)}_{name}")))
        if self.chance("inline fragment"):
            typed = self.draw(st.booleans(), "typed inline fragment")
            found = [
                graphql.InlineFragmentNode(
                    type_condition=graphql.NamedTypeNode(name=_name(parent.name))
                    if typed
                    else None,
                    selection_set=graphql.SelectionSetNode(selections=tuple(found)),
                    directives=(),
                )
            ]
        return found

    def argument(
        self, node: graphql.ArgumentNode, field: graphql.GraphQLField
    ) -> graphql.ArgumentNode:
        if isinstance(node.value, graphql.NullValueNode) or not self.chance("variable"):
            return node
        variable = f"v{next(self.numbers)}"
        self.variables[variable] = graphql.value_from_ast_untyped(node.value)
        self.definitions.append(
            graphql.VariableDefinitionNode(
                variable=graphql.VariableNode(name=_name(variable)),
                type=_type_node(field.args[node.name.value].type),
                directives=(),
            )
        )
        return _replace(node, value=graphql.VariableNode(name=_name(variable)))

    def query(self, document: graphql.DocumentNode) -> GeneratedQuery:
        (operation,) = document.definitions
        assert isinstance(operation, graphql.OperationDefinitionNode)
        root = self.schema.query_type
        assert root is not None
        selection_set = self.selections(operation.selection_set, root)
        named = self.draw(st.booleans(), "named operation")
        operation = graphql.OperationDefinitionNode(
            operation=graphql.OperationType.QUERY,
            name=_name("Probe") if named or self.definitions else None,
            variable_definitions=tuple(self.definitions),
            selection_set=selection_set,
            directives=(),
        )
        text = graphql.print_ast(graphql.DocumentNode(definitions=(operation, *self.fragments)))
        return GeneratedQuery(text=text, variables=self.variables)


def _document(document: graphql.DocumentNode) -> graphql.DocumentNode:
    return document


def graph_queries(keys: Keys) -> st.SearchStrategy[GeneratedQuery]:
    """Queries over every root field (but ``_service``), with real keys, disguised."""
    keyed = graphql.build_ast_schema(keyed_sdl(), assume_valid_sdl=True)
    assert keyed.query_type is not None
    roots = [name for name in keyed.query_type.fields if name not in SKIPPED_ROOT_FIELDS]
    print_ast: Callable[[graphql.DocumentNode], graphql.DocumentNode] = _document
    scalars = key_strategies(keys)

    def rooted(fields: list[str]) -> st.SearchStrategy[graphql.DocumentNode]:
        return queries(
            keyed, fields=fields, custom_scalars=scalars, print_ast=print_ast, allow_x00=False
        )

    # Half the queries select from the whole root, half dig into one root field whose
    # answers hold persons or their records: most of the graph's secrets sit there.
    focused = [name for name in PERSONAL_ROOT_FIELDS if name in roots]
    documents = st.one_of(rooted(roots), st.sampled_from(focused).flatmap(lambda f: rooted([f])))
    served = real_schema()

    @st.composite
    def disguised(draw: st.DrawFn) -> GeneratedQuery:
        return _Disguise(draw, served).query(draw(documents))

    return disguised()
