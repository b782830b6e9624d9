"""A layered (Sugiyama-style) layout for plot_model's matplotlib drawing, without Graphviz.

Boxes sit in ranks by their longest distance from an input. An arrow that skips ranks (a skip
connection) gets a slot of its own in every rank it passes, so it is routed around the boxes
there, never through them; box order within ranks comes from a few barycentre sweeps, which
keeps crossings few. Coordinates are (along, across) in inches: ``along`` follows the arrows
(down for rankdir='TB'), ``across`` runs within a rank. Every arrow is a polyline whose parts
inside a rank's band are straight runs in the arrow's own slot, and whose slanted parts lie in
the empty gaps between bands, so no arrow crosses a box.
"""

from __future__ import annotations

DUMMY_WIDTH = 0.12  # inches across reserved for an arrow passing through a rank


class LayoutError(ValueError):
    """The graph cannot be drawn truthfully with this layout (Graphviz can)."""


def ranks_by_depth(nodes, edges):
    """{node: rank}: one more than the deepest input, in the order the nodes are given."""
    preds = {n: [] for n in nodes}
    for a, b in edges:
        preds[b].append(a)
    depth = {}
    for n in nodes:  # nodes come in graph order: a node's inputs come before it
        depth[n] = 1 + max((depth[p] for p in preds[n] if p in depth), default=-1)
    for a, b in edges:
        if depth[b] <= depth[a]:
            raise LayoutError(f"the arrow {a} -> {b} points backwards (a cycle)")
    return depth


def layout(nodes, edges, size, gap_rank, gap_cross, sweeps=4):
    """Place ``nodes`` (ids, in graph order) and route ``edges`` (id pairs).

    Args:
        size: {node: (along, across)} box sizes in inches.

    Returns:
        ``(centre, routes)``: {node: (along, across)} box centres and {edge: [(along, across),
        ...]} polylines from the source box's border to the target box's border.
    """
    depth = ranks_by_depth(nodes, edges)
    n_ranks = max(depth.values(), default=-1) + 1
    ranks = [[] for _ in range(n_ranks)]
    for n in nodes:
        ranks[depth[n]].append(n)
    # Chains of dummy slots for arrows that skip ranks.
    chains, preds, succs = {}, {}, {}
    for a, b in edges:
        chain = [a] + [("dummy", a, b, r) for r in range(depth[a] + 1, depth[b])] + [b]
        chains[(a, b)] = chain
        for r, d in enumerate(chain[1:-1], depth[a] + 1):
            ranks[r].append(d)
        for u, v in zip(chain, chain[1:]):
            succs.setdefault(u, []).append(v)
            preds.setdefault(v, []).append(u)
    position = {n: i for rank in ranks for i, n in enumerate(rank)}

    def sweep(order, neighbours):
        for r in order:
            rank = ranks[r]
            rank.sort(key=lambda n: (sum(position[m] for m in neighbours.get(n, ())) / len(neighbours[n])
                                     if neighbours.get(n) else position[n]))
            position.update({n: i for i, n in enumerate(rank)})

    for _ in range(sweeps):
        sweep(range(1, n_ranks), preds)
        sweep(range(n_ranks - 2, -1, -1), succs)

    def dims(n):
        return size[n] if n in size else (0.0, DUMMY_WIDTH)

    centre, band = {}, []
    along = 0.0
    for rank in ranks:
        thickness = max((dims(n)[0] for n in rank), default=0.0)
        widths = [dims(n)[1] for n in rank]
        across = -(sum(widths) + gap_cross * (len(rank) - 1)) / 2
        for n, w in zip(rank, widths):
            centre[n] = (along + thickness / 2, across + w / 2)
            across += w + gap_cross
        band.append((along, along + thickness))
        along += thickness + gap_rank

    # Where arrows leave and enter a box: spread along its border, ordered to avoid crossings.
    exits, entries = {}, {}
    for a, b in edges:
        chain = chains[(a, b)]
        exits.setdefault(a, []).append((centre[chain[1]][1], (a, b)))
        entries.setdefault(b, []).append((centre[chain[-2]][1], (a, b)))

    def spread(ports):
        out = {}
        for n, items in ports.items():
            items.sort(key=lambda t: t[0])
            width = size[n][1] * 0.6
            for k, (_, edge) in enumerate(items):
                out[(n, edge)] = centre[n][1] + width * ((k + 1) / (len(items) + 1) - 0.5)
        return out

    exit_at, entry_at = spread(exits), spread(entries)
    routes = {}
    for a, b in edges:
        chain = chains[(a, b)]
        ca, cb = exit_at[(a, (a, b))], entry_at[(b, (a, b))]
        points = [(centre[a][0] + size[a][0] / 2, ca), (band[depth[a]][1], ca)]
        for d in chain[1:-1]:
            r = d[3]
            points += [(band[r][0], centre[d][1]), (band[r][1], centre[d][1])]
        points += [(band[depth[b]][0], cb), (centre[b][0] - size[b][0] / 2, cb)]
        routes[(a, b)] = _dedupe(points)
    return centre, routes


def _dedupe(points):
    out = [points[0]]
    for p in points[1:]:
        if p != out[-1]:
            out.append(p)
    return out


def segment_hits_box(p, q, box_centre, box_size, margin=1e-6):
    """Whether the segment p-q passes through the inside of a box (its border excluded)."""
    (ca, cc), (sa, sc) = box_centre, box_size
    lo = (ca - sa / 2 + margin, cc - sc / 2 + margin)
    hi = (ca + sa / 2 - margin, cc + sc / 2 - margin)
    t0, t1 = 0.0, 1.0
    for axis in (0, 1):  # Liang-Barsky clipping against the box
        d = q[axis] - p[axis]
        if d == 0:
            if not lo[axis] < p[axis] < hi[axis]:
                return False
            continue
        ta, tb = (lo[axis] - p[axis]) / d, (hi[axis] - p[axis]) / d
        t0, t1 = max(t0, min(ta, tb)), min(t1, max(ta, tb))
        if t0 >= t1:
            return False
    return True
