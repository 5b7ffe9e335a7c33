"""No module of bridge/ or connectors/ imports itself back through others, counting lazy
(function-level) and TYPE_CHECKING imports. `lint-imports` checks the folders of each package
(acyclic_siblings); this also catches a cycle that runs through both packages."""

import grimp


def import_cycles() -> list[str]:
    graph = grimp.build_graph("bridge", "connectors", cache_dir=None)
    cycles: dict[frozenset[str], str] = {}
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                cycles.setdefault(frozenset(back), " -> ".join((importer, *back)))
    return sorted(cycles.values())


def test_no_import_cycles():
    cycles = import_cycles()
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
