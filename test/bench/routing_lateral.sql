-- The set-based routing a user would write for the policy of
-- channel.route_leads(): per new lead, a LATERAL top-1 over the eligible
-- partners ordered by the same fit, ties to the least recently routed
-- partner.  Being one statement it cannot see its own assignments, so
-- capacity and round robin use the load as of the start (an advantage: less
-- work than route_leads does).  :limit bounds the leads (NULL = all).
-- The partner statistics go to an indexed temporary table first (a CTE
-- would be rescanned without an index for every lead).
CREATE TEMP TABLE st ON COMMIT DROP AS
  SELECT p.partner_id, p.tier, p.max_open_leads,
         coalesce(o.open, 0) AS open, coalesce(o.converted, 0) AS converted, coalesce(o.lost, 0) AS lost,
         coalesce(e.offered, 0) AS offered, coalesce(e.accepted, 0) AS accepted, e.last_routed
  FROM channel.partner p
  LEFT JOIN (SELECT l.partner_id,
                    count(*) FILTER (WHERE l.status IN ('routed', 'accepted')) AS open,
                    count(*) FILTER (WHERE l.status = 'converted') AS converted,
                    count(*) FILTER (WHERE l.status = 'lost') AS lost
             FROM channel.lead l WHERE l.partner_id IS NOT NULL GROUP BY l.partner_id) o
         ON o.partner_id = p.partner_id
  LEFT JOIN (SELECT ev.partner_id,
                    count(*) FILTER (WHERE ev.to_status = 'routed') AS offered,
                    count(*) FILTER (WHERE ev.to_status = 'accepted') AS accepted,
                    max(ev.at) FILTER (WHERE ev.to_status = 'routed') AS last_routed
             FROM channel.lead_event ev WHERE ev.partner_id IS NOT NULL GROUP BY ev.partner_id) e
         ON e.partner_id = p.partner_id
  WHERE p.status = 'active' AND p.kind <> 'distributor';
ALTER TABLE st ADD PRIMARY KEY (partner_id);
ANALYZE st;
WITH todo AS (
  SELECT l.* FROM channel.lead l WHERE l.status = 'new' ORDER BY l.lead_id LIMIT :limit
), choice AS (
  SELECT l.lead_id, c.partner_id, c.tier, c.fit
  FROM todo l
  LEFT JOIN LATERAL (
    SELECT s.partner_id, s.tier,
           round((0.30 * CASE WHEN t.by_country THEN 1.0 ELSE 0.6 END
                + 0.15 * coalesce(CASE c.level WHEN 'associate' THEN 1 WHEN 'professional' THEN 2 WHEN 'expert' THEN 3 END, 0) / 3.0
                + 0.15 * (CASE s.tier WHEN 'registered' THEN 1 WHEN 'silver' THEN 2 WHEN 'gold' THEN 3 ELSE 4 END) / 4.0
                + 0.15 * (s.converted + 1.0) / (s.converted + s.lost + 2.0)
                + 0.10 * least(1.0, (s.accepted + 1.0) / (s.offered + 2.0))
                + 0.15 * (1.0 - s.open::numeric / s.max_open_leads)), 3) AS fit,
           s.last_routed
    FROM (SELECT t.partner_id, bool_or(t.country IS NOT NULL) AS by_country
          FROM channel.partner_territory t
          WHERE t.country = l.country OR t.region = l.region
          GROUP BY t.partner_id) t
    JOIN st s ON s.partner_id = t.partner_id
    JOIN channel.partner_product pp ON pp.partner_id = t.partner_id AND pp.product_line = l.product_line
    JOIN channel.product_line pl ON pl.code = l.product_line
    LEFT JOIN LATERAL (SELECT max(ce.level) AS level FROM channel.certification ce
                       WHERE ce.partner_id = t.partner_id AND ce.product_line = l.product_line
                         AND ce.earned_on <= current_date AND ce.expires_on > current_date) c ON true
    WHERE (NOT pl.requires_certification OR c.level >= pl.min_cert_level)
      AND s.tier >= CASE WHEN coalesce(l.score, 0) >= 85 THEN 'gold'
                         WHEN coalesce(l.score, 0) >= 60 THEN 'silver'
                         ELSE 'registered' END::channel.partner_tier
      AND s.open < s.max_open_leads
      AND NOT EXISTS (SELECT 1 FROM channel.lead_event e
                      WHERE e.lead_id = l.lead_id AND e.partner_id = t.partner_id
                        AND e.to_status IN ('rejected', 'recalled'))
    ORDER BY fit DESC, s.last_routed ASC NULLS FIRST, s.partner_id
    LIMIT 1) c ON true
)
UPDATE channel.lead l
SET status = CASE WHEN c.partner_id IS NULL THEN 'pooled' ELSE 'routed' END::channel.lead_status,
    partner_id = c.partner_id,
    routed_at = CASE WHEN c.partner_id IS NOT NULL THEN now() END,
    accept_by = CASE WHEN c.partner_id IS NOT NULL
                     THEN now() + make_interval(hours => CASE c.tier WHEN 'registered' THEN 24 WHEN 'silver' THEN 36
                                                                     WHEN 'gold' THEN 48 ELSE 72 END) END,
    status_reason = CASE WHEN c.partner_id IS NULL THEN 'no_eligible_partner'
                         ELSE format('fit %s, round_robin', c.fit) END
FROM choice c
WHERE l.lead_id = c.lead_id;
