package hub

import (
	"context"
	"fmt"

	"gloss/shared/model"
	"gloss/shared/protocol"
)

// Blind annotation (model.ViewOf) is enforced here, on the wire: a blind
// annotator's welcome is a snapshot of what their view shows, every op
// they may not see reaches them as a "hidden" op that only carries its
// seq, and presence shows them alone. What a client's view is depends on
// the project's settings, on whether they marked the document done and
// on the document's review status; a change of any of them closes the
// affected sockets with CloseRestart, and the reconnect's welcome is a
// fresh snapshot for the new view.

// blindEpoch marks the epoch a blind client is welcomed with: such a
// client never resumes (it is always sent a snapshot), and when it is no
// longer blind the epoch it sends back differs from the store's, so it
// gets a whole snapshot instead of a resume that would lack the layers it
// was not shown.
const blindEpoch = "/blind"

// readView reads what the client's view depends on besides the
// document's review status: the project's settings and, for an
// annotator, whether they marked the document done.
func (c *client) readView(ctx context.Context, projectID, doc int64) error {
	set, err := c.hub.store.ProjectSettings(ctx, projectID)
	if err != nil {
		return fmt.Errorf("hub: settings: %w", err)
	}
	done := false
	if set.Blind && c.role == model.RoleAnnotator {
		if done, err = c.hub.store.Done(ctx, doc, c.user.ID); err != nil {
			return err
		}
	}
	c.settings, c.markedDone = set, done
	return nil
}

// viewOf is the client's view of the room's document now.
func (r *room) viewOf(c *client) model.View {
	return model.ViewOf(c.settings, c.role, c.user.Name, c.markedDone, r.state.DocReview)
}

// noteLayers records which layer the annotations, relations and comments
// an op adds belong to (a comment counts as its annotation's layer), so
// that later ops that name them only by id can be judged.
func (r *room) noteLayers(op protocol.Op) {
	if op.Ann != nil {
		r.layerOf[op.Ann.ID] = op.Ann.Layer
	}
	if op.Rel != nil {
		r.layerOf[op.Rel.ID] = op.Rel.Layer
	}
	if op.Comment != nil {
		r.layerOf[op.Comment.ID] = r.layerOfID(op.Comment.Target)
	}
}

// noteState records the layers of a whole state (load, reload).
func (r *room) noteState() {
	r.layerOf = map[string]string{}
	for _, a := range r.state.Anns {
		r.layerOf[a.ID] = a.Layer
	}
	for _, rel := range r.state.Rels {
		r.layerOf[rel.ID] = rel.Layer
	}
	for _, c := range r.state.Comments {
		r.layerOf[c.ID] = r.layerOfID(c.Target)
	}
}

// layerOfID is the layer of an annotation, relation or comment id; ""
// (which no blind view sees) if the room never saw it.
func (r *room) layerOfID(id string) string {
	l, ok := r.layerOf[id]
	if !ok {
		return ""
	}
	return l
}

// layersOf lists every layer an op touches or reveals: what it adds, its
// target, and the annotations its review records name. An op is shown to
// a blind client only if the client's view sees all of them.
func (r *room) layersOf(op protocol.Op) []string {
	var ls []string
	if op.Ann != nil {
		ls = append(ls, op.Ann.Layer)
	}
	if op.Rel != nil {
		ls = append(ls, op.Rel.Layer, r.layerOfID(op.Rel.From), r.layerOfID(op.Rel.To))
	}
	if op.Target != "" {
		ls = append(ls, r.layerOfID(op.Target))
	}
	if op.Comment != nil {
		ls = append(ls, r.layerOfID(op.Comment.Target))
	}
	for _, rv := range op.Reviews {
		for _, id := range []string{rv.Annotation, rv.Gold, rv.Source} {
			if id != "" {
				ls = append(ls, r.layerOfID(id))
			}
		}
	}
	return ls
}

// seesAll reports whether v sees every one of layers.
func seesAll(v model.View, layers []string) bool {
	if !v.Blind {
		return true
	}
	for _, l := range layers {
		if !v.Sees(l) {
			return false
		}
	}
	return true
}

// hiddenRef reports whether an op of a blind client names something the
// client may not see: it is refused as if it did not exist, so that
// probing ids tells nothing.
func (r *room) hiddenRef(v model.View, op protocol.Op) bool {
	if !v.Blind {
		return false
	}
	var ids []string
	if op.Kind == protocol.KindUpdate && op.Ann != nil {
		ids = append(ids, op.Ann.ID)
	}
	if op.Target != "" {
		ids = append(ids, op.Target)
	}
	if op.Rel != nil {
		ids = append(ids, op.Rel.From, op.Rel.To)
	}
	if op.Comment != nil {
		ids = append(ids, op.Comment.Target)
	}
	for _, id := range ids {
		if l, ok := r.layerOf[id]; ok && !v.Sees(l) {
			return true
		}
	}
	return false
}

// reviewChanged re-judges every client's view after ops that changed the
// document's review status (a reviewer put it in review: blind
// annotation ends for it) and closes the sockets whose view changed.
func (r *room) reviewChanged() {
	for c := range r.clients {
		if r.viewOf(c) != c.view {
			c.closeWith(protocol.CloseRestart, "what you may see of this document changed: reconnect")
			delete(r.clients, c)
			r.presenceChanged()
		}
	}
	r.rejudgeWatchers()
}
