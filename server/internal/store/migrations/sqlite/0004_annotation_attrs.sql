-- 4: figures' and attributions' structured fields (model.Attrs) as
-- JSON, NULL when a span has none.
ALTER TABLE annotations ADD COLUMN attrs TEXT;
