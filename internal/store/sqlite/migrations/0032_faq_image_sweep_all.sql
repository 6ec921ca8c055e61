-- The FAQ image sweep (faq_image_sweep) is
-- scheduled by an upload or an FAQ change; images uploaded before it
-- existed, for articles never saved or since deleted, would wait for the
-- workspace's next FAQ change. This queues a sweep now for every
-- workspace that holds images: it deletes those no article shows once
-- they are chat.FAQImageGrace old, and schedules itself again for
-- younger ones.
INSERT INTO jobs (kind, workspace_id, ref_id, due_at)
    SELECT 'faq_image_sweep', workspace_id, 0, 0 FROM faq_images
    WHERE workspace_id > 0 GROUP BY workspace_id
    ON CONFLICT (kind, workspace_id, ref_id) DO NOTHING;
