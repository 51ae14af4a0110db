from __future__ import annotations

from gradtui.kernel.protocol import BackwardStepInfo, BackwardTrace, LeafUpdate
from gradtui.tui.walk import BackwardWalk

from .fake_kernel import seed_trace


def test_walk_goes_from_the_intro_through_every_node_to_the_leaf_grads():
    walk = BackwardWalk(seed_trace())
    assert "5 nodes" in walk.describe() and walk.current_node is None
    assert walk.next() and walk.current_node == "n1" and walk.current_op == "mul"
    assert walk.describe().split("\n") == [
        "Step 1/5: MulBackward0, which made o",
        "  gradient in: do/do = 1.",
        "  -> <SumBackward0>: d(<SumBackward0>*0.5)/d<SumBackward0> = 0.5",
        "       so 1. * 0.5 = 0.5",
        "  -> the constant 0.5: nothing (a constant needs no gradient)"]
    walk.next()
    walk.next()
    assert walk.describe().split("\n")[1:4] == [
        "  gradient in: do/dy = [0.5, 0.5]",
        "  -> <PowBackward0>: d(<PowBackward0>*5)/d<PowBackward0> = 5 = [5., 5.]",
        "       so [0.5, 0.5] * [5., 5.] = [2.5, 2.5]"]
    while walk.next():
        pass
    assert walk.finished and walk.current_node is None
    assert "x.grad: None -> [10., 10.]" in walk.describe()
    assert not walk.next()


def test_the_end_shows_accumulation_into_a_grad_already_there():
    trace = seed_trace()
    trace.leaves = [LeafUpdate("x", "n6", "[10., 10.]", "[10., 10.]", "[20., 20.]")]
    walk = BackwardWalk(trace)
    walk.position = walk.total
    assert "  x.grad: [10., 10.] + [10., 10.] = [20., 20.]\n" in walk.describe()


def test_a_trace_from_an_older_kernel_still_reads():
    old = BackwardTrace("o", [BackwardStepInfo("n1", "MulBackward0", "1.", ["d(a*b)/db = a"],
                                               ["0.5"], ["n2"])], {"x": "[10., 10.]"})
    walk = BackwardWalk(old)
    walk.next()
    assert "-> SumBackward0: d(a*b)/db = a" in walk.describe({"n2": "SumBackward0"})
    walk.next()
    assert "x.grad += [10., 10.]" in walk.describe()


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
