"""The facilitator's live conduct screen: clock panel, inject queue, timeline, presenter display and due cue."""
