"""What the views draw from, without Qt: a run's history (bounded column buffers and its latest
live data), plain-numpy series, a saved run read back as a history, the preview before Start."""
