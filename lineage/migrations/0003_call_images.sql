-- Folio ledger, schema 3: what a vision call sent.
--
-- image_width and image_height are the size of the image a request carried
-- after downscaling, image_detail the detail it asked for ("low" or "high";
-- empty for models priced by 32-pixel patches, which take none), and
-- estimated_image_tokens the image's tokens by the model's published
-- formula, to compare with the usage the provider reports. All are 0 or
-- empty for calls that sent no image, and for rows written before schema 3.
ALTER TABLE calls ADD COLUMN image_width INTEGER NOT NULL DEFAULT 0 CHECK (image_width >= 0);
ALTER TABLE calls ADD COLUMN image_height INTEGER NOT NULL DEFAULT 0 CHECK (image_height >= 0);
ALTER TABLE calls ADD COLUMN image_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN estimated_image_tokens INTEGER NOT NULL DEFAULT 0 CHECK (estimated_image_tokens >= 0);
