from __future__ import annotations

from gradtui.kernel.protocol import BackwardTrace
from gradtui.tui.walk import BackwardWalk

from .fake_kernel import seed_trace


def test_walk_goes_from_the_intro_through_every_node_to_the_leaf_grads():
    walk = BackwardWalk(seed_trace())
    assert "5 nodes" in walk.describe() and walk.current_node is None
    assert walk.next() and walk.current_node == "n1"
    text = walk.describe({"n2": "SumBackward0"})
    assert "Step 1/5: MulBackward0" in text and "gradient in: tensor(1.)" in text
    assert "input 0 -> a constant: nothing" in text
    assert "input 1 -> SumBackward0: tensor(0.5000)  [d(a*b)/db = a]" in text
    while walk.next():
        pass
    assert walk.finished and walk.current_node is None
    assert "x.grad = tensor([10., 10.])" in walk.describe()
    assert not walk.next()


def test_walk_goes_back_and_stops_at_the_start():
    walk = BackwardWalk(seed_trace())
    walk.next()
    walk.next()
    assert walk.previous() and walk.current_node == "n1"
    assert walk.previous() and walk.position == -1
    assert not walk.previous()


def test_a_trace_that_cannot_run_explains_why():
    walk = BackwardWalk(BackwardTrace("o", error="RuntimeError: Trying to backward through the "
                                      "graph a second time"))
    assert "Cannot step through o.backward()" in walk.describe()
    assert "second time" in walk.describe()


def test_visited_nodes_grow_with_the_walk_and_end_with_the_leaves():
    walk = BackwardWalk(seed_trace())
    assert walk.visited_nodes() == frozenset()
    walk.next()
    walk.next()
    assert walk.visited_nodes() == {"n1"}
    while walk.next():
        pass
    assert walk.visited_nodes(frozenset({"n6"})) == {"n1", "n2", "n3", "n4", "n5", "n6"}


def test_a_freed_graph_says_how_to_step_through_it_again():
    error = ("RuntimeError: Trying to backward through the graph a second time (or directly "
             "access saved tensors after they have already been freed).")
    text = BackwardWalk(BackwardTrace(root="o", error=error)).describe()
    assert text.startswith("Cannot step through o.backward():\nRuntimeError: Trying")
    assert "Run the cells that compute o again" in text and ":step o" in text
    other = BackwardWalk(BackwardTrace(root="o", error="NameError: name 'o' is not defined"))
    assert "Run the cells" not in other.describe()
