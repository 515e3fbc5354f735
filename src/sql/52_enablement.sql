-- 52_enablement.sql: onboarding steps, training courses and certification
-- paths, certification expiry (doc/programs.md).
--
-- Onboarding steps are data per programme; a member moves prospect ->
-- onboarding -> active only when the steps required for that move are done
-- (trigger on channel.partner).  Courses belong to a product line and level;
-- a contact who completes every course of a (line, level) path earns the
-- partner that certification, with the validity the line's rule gives.

---------------------------------------------------------------- onboarding
CREATE TABLE channel.onboarding_step (
  program_id   bigint NOT NULL REFERENCES channel.program (program_id) ON DELETE CASCADE,
  step         text NOT NULL CONSTRAINT onboarding_step_code_format CHECK (step ~ '^[a-z][a-z0-9_]{1,62}$'),
  title        text NOT NULL CONSTRAINT onboarding_step_title_not_blank CHECK (btrim(title) <> ''),
  required_for channel.partner_status NOT NULL
               CONSTRAINT onboarding_step_required_for_valid CHECK (required_for IN ('onboarding', 'active')),
  position     integer NOT NULL DEFAULT 1,
  verify       text NOT NULL DEFAULT 'manual'
               CONSTRAINT onboarding_step_verify_valid
               CHECK (verify IN ('manual', 'primary_contact', 'product_authorization', 'territory', 'certification')),
  partner_may_complete boolean NOT NULL DEFAULT false,
  PRIMARY KEY (program_id, step),
  CONSTRAINT onboarding_step_partner_manual CHECK (NOT partner_may_complete OR verify = 'manual')
);
COMMENT ON TABLE channel.onboarding_step IS
  'Onboarding steps of a programme: what must be done before a member may move to onboarding, or to active.';
COMMENT ON COLUMN channel.onboarding_step.program_id IS 'The programme.';
COMMENT ON COLUMN channel.onboarding_step.step IS 'Step code, lower case (e.g. agreement_signed).';
COMMENT ON COLUMN channel.onboarding_step.title IS 'What the step is, as shown to partners.';
COMMENT ON COLUMN channel.onboarding_step.required_for IS
  'The status the step gates: onboarding (needed to start onboarding) or active (needed to become active; onboarding steps are needed too).';
COMMENT ON COLUMN channel.onboarding_step.position IS 'Display order.';
COMMENT ON COLUMN channel.onboarding_step.verify IS
  'How completion is known: manual (a row in onboarding_completion), or checked live: primary_contact, product_authorization, territory, certification (a valid one).';
COMMENT ON COLUMN channel.onboarding_step.partner_may_complete IS 'True when the partner itself may mark the (manual) step done, e.g. tax and banking details.';
SELECT pg_catalog.pg_extension_config_dump('channel.onboarding_step', '');

CREATE TABLE channel.onboarding_completion (
  partner_id   bigint NOT NULL REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  program_id   bigint NOT NULL,
  step         text NOT NULL,
  completed_at timestamptz NOT NULL DEFAULT now(),
  completed_by name NOT NULL DEFAULT session_user,
  note         text,
  PRIMARY KEY (partner_id, program_id, step),
  FOREIGN KEY (program_id, step) REFERENCES channel.onboarding_step (program_id, step) ON DELETE CASCADE
);
COMMENT ON TABLE channel.onboarding_completion IS 'Manual onboarding steps a partner has completed (written by channel.complete_onboarding_step()).';
COMMENT ON COLUMN channel.onboarding_completion.partner_id IS 'The partner.';
COMMENT ON COLUMN channel.onboarding_completion.program_id IS 'The programme of the step.';
COMMENT ON COLUMN channel.onboarding_completion.step IS 'The step completed.';
COMMENT ON COLUMN channel.onboarding_completion.completed_at IS 'When it was marked done.';
COMMENT ON COLUMN channel.onboarding_completion.completed_by IS 'Who marked it done (session user).';
COMMENT ON COLUMN channel.onboarding_completion.note IS 'Evidence or remark, free text.';
CREATE INDEX onboarding_completion_step_idx ON channel.onboarding_completion (program_id, step);
COMMENT ON INDEX channel.onboarding_completion_step_idx IS 'Completions of a step (keeps step deletes cheap).';
SELECT pg_catalog.pg_extension_config_dump('channel.onboarding_completion', '');

-- Steps of the partner's current programme with whether each is done.
CREATE FUNCTION channel.onboarding_status(of_partner bigint DEFAULT NULL)
RETURNS TABLE (partner_id bigint, program text, step text, title text, required_for channel.partner_status, "position" integer,
               verify text, partner_may_complete boolean, done boolean, completed_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me  bigint := channel.current_partner();
  pid bigint := coalesce(of_partner, me);
BEGIN
  -- the vendor without a partner: every current member
  IF (me IS NOT NULL AND pid <> me)
     OR (pid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM channel.partner pa WHERE pa.partner_id = pid)) THEN
    RAISE EXCEPTION 'partner % does not exist', pid
      USING ERRCODE = 'no_data_found',
            HINT = CASE WHEN me IS NOT NULL THEN 'A partner sees its own onboarding: call it without arguments.' ELSE 'See channel.partner.' END;
  END IF;
  RETURN QUERY
  SELECT m.partner_id, pr.name, s.step, s.title, s.required_for, s.position, s.verify, s.partner_may_complete,
         CASE s.verify
           WHEN 'manual' THEN oc.completed_at IS NOT NULL
           WHEN 'primary_contact' THEN EXISTS (SELECT 1 FROM channel.partner_contact pc WHERE pc.partner_id = m.partner_id AND pc.is_primary)
           WHEN 'product_authorization' THEN EXISTS (SELECT 1 FROM channel.partner_product pp WHERE pp.partner_id = m.partner_id)
           WHEN 'territory' THEN EXISTS (SELECT 1 FROM channel.partner_territory pt WHERE pt.partner_id = m.partner_id)
           WHEN 'certification' THEN EXISTS (SELECT 1 FROM channel.certification c WHERE c.partner_id = m.partner_id
                                              AND c.earned_on <= current_date AND c.expires_on > current_date)
         END,
         oc.completed_at
  FROM channel.program_member m
  JOIN channel.program pr ON pr.program_id = m.program_id
  JOIN channel.onboarding_step s ON s.program_id = m.program_id
  LEFT JOIN channel.onboarding_completion oc ON oc.partner_id = m.partner_id AND oc.program_id = s.program_id AND oc.step = s.step
  WHERE (pid IS NULL OR m.partner_id = pid) AND m.left_on IS NULL
  ORDER BY m.partner_id, s.required_for, s.position, s.step;
END
$$;
COMMENT ON FUNCTION channel.onboarding_status(bigint) IS
  'The onboarding steps of a partner''s current programme and whether each is done (manual steps by completion, the others checked live); for the vendor without a partner, every current member''s. A partner caller: itself only.';

CREATE FUNCTION channel.complete_onboarding_step(step text, partner_id bigint DEFAULT NULL, note text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me  bigint := channel.current_partner();
  pid bigint := coalesce(complete_onboarding_step.partner_id, me);
  s   channel.onboarding_step;
BEGIN
  IF pid IS NULL OR (me IS NOT NULL AND pid <> me)
     OR NOT EXISTS (SELECT 1 FROM channel.partner pa WHERE pa.partner_id = pid) THEN
    RAISE EXCEPTION 'partner % does not exist', coalesce(pid::text, 'NULL')
      USING ERRCODE = 'no_data_found';
  END IF;
  SELECT st.* INTO s
  FROM channel.program_member m JOIN channel.onboarding_step st ON st.program_id = m.program_id
  WHERE m.partner_id = pid AND m.left_on IS NULL AND st.step = complete_onboarding_step.step;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'onboarding step "%" does not exist in the partner''s programme', complete_onboarding_step.step
      USING ERRCODE = 'no_data_found', HINT = 'See channel.onboarding_status().';
  END IF;
  IF s.verify <> 'manual' THEN
    RAISE EXCEPTION 'onboarding step "%" is checked automatically', s.step
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = pg_catalog.format('It is done when the partner has a %s.', replace(s.verify, '_', ' ')),
            HINT = 'Add what it checks; nothing to mark.';
  END IF;
  IF me IS NOT NULL AND NOT s.partner_may_complete THEN
    RAISE EXCEPTION 'onboarding step "%" is completed by the vendor', s.step
      USING ERRCODE = 'insufficient_privilege', HINT = 'Ask your channel manager.';
  END IF;
  INSERT INTO channel.onboarding_completion (partner_id, program_id, step, note)
  VALUES (pid, s.program_id, s.step, complete_onboarding_step.note)
  ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION channel.complete_onboarding_step(text, bigint, text) IS
  'Marks a manual onboarding step of the partner''s current programme done (idempotent). The vendor completes any step; a partner its own steps flagged partner_may_complete.';

-- The gate: prospect -> onboarding -> active only with the steps done.
CREATE FUNCTION channel.partner_onboarding_gate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  missing text[];
  titles  text[];
BEGIN
  IF NOT (OLD.status IN ('prospect', 'onboarding') AND NEW.status IN ('onboarding', 'active') AND NEW.status > OLD.status) THEN
    RETURN NEW;
  END IF;
  SELECT array_agg(s.step ORDER BY s.required_for, s.position, s.step), array_agg(s.title ORDER BY s.required_for, s.position, s.step)
  INTO missing, titles
  FROM channel.onboarding_status(NEW.partner_id) s
  WHERE NOT s.done AND (s.required_for = 'onboarding' OR NEW.status = 'active');
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'partner % cannot become % yet: onboarding steps missing: %', NEW.partner_id, NEW.status,
                    array_to_string(missing, ', ')
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'Still to do: ' || array_to_string(titles, '; ') || '.',
            HINT = 'See channel.onboarding_status(partner_id); mark manual steps with channel.complete_onboarding_step().';
  END IF;
  UPDATE channel.program_member m
  SET onboarding_started_at = CASE WHEN NEW.status = 'onboarding' THEN coalesce(m.onboarding_started_at, now()) ELSE m.onboarding_started_at END,
      activated_at = CASE WHEN NEW.status = 'active' THEN coalesce(m.activated_at, now()) ELSE m.activated_at END
  WHERE m.partner_id = NEW.partner_id AND m.left_on IS NULL;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION channel.partner_onboarding_gate() IS
  'Trigger: a programme member moves prospect -> onboarding -> active only when the steps required for the new status are done (object_not_in_prerequisite_state naming the missing steps otherwise); stamps the membership''s onboarding and activation times.';
CREATE TRIGGER partner_onboarding_gate
  BEFORE UPDATE OF status ON channel.partner
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION channel.partner_onboarding_gate();
COMMENT ON TRIGGER partner_onboarding_gate ON channel.partner IS 'Onboarding steps gate status moves; see channel.partner_onboarding_gate().';

CREATE FUNCTION channel.onboarding_times(since date DEFAULT NULL)
RETURNS TABLE (program_id bigint, program text, onboarded integer, median_days float8, p90_days float8,
               in_onboarding integer, oldest_in_onboarding_days float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, channel, pg_temp
AS $$
  SELECT pr.program_id, pr.name,
         count(*) FILTER (WHERE m.activated_at IS NOT NULL AND (since IS NULL OR m.activated_at >= since))::int,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM m.activated_at - coalesce(m.onboarding_started_at, m.joined_on::timestamptz)) / 86400)
           FILTER (WHERE m.activated_at IS NOT NULL AND (since IS NULL OR m.activated_at >= since)),
         percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM m.activated_at - coalesce(m.onboarding_started_at, m.joined_on::timestamptz)) / 86400)
           FILTER (WHERE m.activated_at IS NOT NULL AND (since IS NULL OR m.activated_at >= since)),
         count(*) FILTER (WHERE m.onboarding_started_at IS NOT NULL AND m.activated_at IS NULL AND m.left_on IS NULL)::int,
         max(extract(epoch FROM now() - m.onboarding_started_at) / 86400)
           FILTER (WHERE m.onboarding_started_at IS NOT NULL AND m.activated_at IS NULL AND m.left_on IS NULL)
  FROM channel.program pr
  LEFT JOIN channel.program_member m ON m.program_id = pr.program_id
  GROUP BY pr.program_id, pr.name
  ORDER BY pr.program_id
$$;
COMMENT ON FUNCTION channel.onboarding_times(date) IS
  'Time to onboard per programme: members activated (since a date, default ever), median and 90th percentile days from the start of onboarding (or joining) to activation, members still onboarding and the longest wait so far. Reads through row-level security (a partner sees its own membership only).';

---------------------------------------------------------------- training
CREATE TABLE channel.certification_rule (
  product_line channel.product_code NOT NULL REFERENCES channel.product_line (code) ON DELETE CASCADE,
  level        channel.cert_level NOT NULL,
  valid_months integer NOT NULL CONSTRAINT certification_rule_valid_months_range CHECK (valid_months BETWEEN 1 AND 60),
  PRIMARY KEY (product_line, level)
);
COMMENT ON TABLE channel.certification_rule IS
  'How long a certification earned through training stays valid, per product line and level; a path of courses issues certifications only where a rule exists.';
COMMENT ON COLUMN channel.certification_rule.product_line IS 'The product line.';
COMMENT ON COLUMN channel.certification_rule.level IS 'The certification level.';
COMMENT ON COLUMN channel.certification_rule.valid_months IS 'Validity of a certification issued on completion, in months (1-60), e.g. 12.';
SELECT pg_catalog.pg_extension_config_dump('channel.certification_rule', '');

CREATE TABLE channel.course (
  course_id    bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  code         text NOT NULL CONSTRAINT course_code_format CHECK (code ~ '^[A-Z][A-Z0-9_-]{1,31}$'),
  title        text NOT NULL CONSTRAINT course_title_not_blank CHECK (btrim(title) <> ''),
  product_line channel.product_code NOT NULL REFERENCES channel.product_line (code),
  level        channel.cert_level NOT NULL,
  hours        numeric(6,1) NOT NULL DEFAULT 1 CONSTRAINT course_hours_positive CHECK (hours > 0),
  on_path      boolean NOT NULL DEFAULT true,
  active       boolean NOT NULL DEFAULT true,
  CONSTRAINT course_code_unique UNIQUE (code)
);
COMMENT ON TABLE channel.course IS
  'Training courses per product line and level. The active on-path courses of a (line, level) are its certification path.';
COMMENT ON COLUMN channel.course.course_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.course.code IS 'Course code, upper case (e.g. STOR-101).';
COMMENT ON COLUMN channel.course.title IS 'Course title.';
COMMENT ON COLUMN channel.course.product_line IS 'The product line taught.';
COMMENT ON COLUMN channel.course.level IS 'The level it belongs to.';
COMMENT ON COLUMN channel.course.hours IS 'Nominal length in hours.';
COMMENT ON COLUMN channel.course.on_path IS 'True when completing it is part of the path to the (line, level) certification.';
COMMENT ON COLUMN channel.course.active IS 'False for retired courses: no new enrolments, not part of the path.';
CREATE INDEX course_path_idx ON channel.course (product_line, level) WHERE on_path AND active;
COMMENT ON INDEX channel.course_path_idx IS 'The courses of a certification path.';
SELECT pg_catalog.pg_extension_config_dump('channel.course', '');
SELECT pg_catalog.pg_extension_config_dump('channel.course_course_id_seq', '');

CREATE TABLE channel.course_enrolment (
  enrolment_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  contact_id   bigint NOT NULL REFERENCES channel.partner_contact (contact_id) ON DELETE CASCADE,
  partner_id   bigint NOT NULL REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  course_id    bigint NOT NULL REFERENCES channel.course (course_id),
  enrolled_at  timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  CONSTRAINT course_enrolment_completed_after CHECK (completed_at >= enrolled_at)
);
COMMENT ON TABLE channel.course_enrolment IS 'Enrolments of partner contacts in courses, and their completions.';
COMMENT ON COLUMN channel.course_enrolment.enrolment_id IS 'Surrogate key.';
COMMENT ON COLUMN channel.course_enrolment.contact_id IS 'The person enrolled.';
COMMENT ON COLUMN channel.course_enrolment.partner_id IS 'The contact''s partner (set from the contact by channel.enrol_contact()).';
COMMENT ON COLUMN channel.course_enrolment.course_id IS 'The course.';
COMMENT ON COLUMN channel.course_enrolment.enrolled_at IS 'When the contact enrolled.';
COMMENT ON COLUMN channel.course_enrolment.completed_at IS 'When the contact completed it; NULL while in progress.';
CREATE UNIQUE INDEX course_enrolment_open ON channel.course_enrolment (contact_id, course_id) WHERE completed_at IS NULL;
CREATE INDEX course_enrolment_contact_idx ON channel.course_enrolment (contact_id, course_id, completed_at);
CREATE INDEX course_enrolment_partner_idx ON channel.course_enrolment (partner_id, completed_at);
CREATE INDEX course_enrolment_course_idx ON channel.course_enrolment (course_id);
COMMENT ON INDEX channel.course_enrolment_open IS 'A contact has at most one open enrolment per course.';
COMMENT ON INDEX channel.course_enrolment_contact_idx IS 'A contact''s enrolments in a course (the path check).';
COMMENT ON INDEX channel.course_enrolment_partner_idx IS 'Enrolments and completions of a partner''s contacts.';
COMMENT ON INDEX channel.course_enrolment_course_idx IS 'Enrolments of a course.';
SELECT pg_catalog.pg_extension_config_dump('channel.course_enrolment', '');
SELECT pg_catalog.pg_extension_config_dump('channel.course_enrolment_enrolment_id_seq', '');

CREATE TABLE channel.certification_award (
  certification_id bigint PRIMARY KEY REFERENCES channel.certification (certification_id) ON DELETE CASCADE,
  contact_id       bigint NOT NULL REFERENCES channel.partner_contact (contact_id) ON DELETE CASCADE,
  partner_id       bigint NOT NULL REFERENCES channel.partner (partner_id) ON DELETE CASCADE,
  enrolment_id     bigint NOT NULL REFERENCES channel.course_enrolment (enrolment_id) ON DELETE CASCADE,
  awarded_at       timestamptz NOT NULL DEFAULT now(),
  awarded_by       name NOT NULL DEFAULT session_user
);
COMMENT ON TABLE channel.certification_award IS
  'Audit of the certifications issued automatically by training: which contact''s completion of which enrolment completed the path, when and in whose session.';
COMMENT ON COLUMN channel.certification_award.certification_id IS 'The certification issued.';
COMMENT ON COLUMN channel.certification_award.contact_id IS 'The contact who completed the path.';
COMMENT ON COLUMN channel.certification_award.partner_id IS 'The contact''s partner (the certification''s).';
COMMENT ON COLUMN channel.certification_award.enrolment_id IS 'The completion that completed the path.';
COMMENT ON COLUMN channel.certification_award.awarded_at IS 'When it was issued.';
COMMENT ON COLUMN channel.certification_award.awarded_by IS 'Session user whose completion issued it.';
CREATE INDEX certification_award_partner_idx ON channel.certification_award (partner_id);
CREATE INDEX certification_award_contact_idx ON channel.certification_award (contact_id);
CREATE INDEX certification_award_enrolment_idx ON channel.certification_award (enrolment_id);
COMMENT ON INDEX channel.certification_award_partner_idx IS 'Awards of a partner.';
COMMENT ON INDEX channel.certification_award_contact_idx IS 'Awards of a contact.';
COMMENT ON INDEX channel.certification_award_enrolment_idx IS 'The award an enrolment led to.';
SELECT pg_catalog.pg_extension_config_dump('channel.certification_award', '');

CREATE FUNCTION channel.enrol_contact(contact_id bigint, course_code text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  me  bigint := channel.current_partner();
  pid bigint;
  cid bigint;
  id  bigint;
BEGIN
  SELECT pc.partner_id INTO pid FROM channel.partner_contact pc WHERE pc.contact_id = enrol_contact.contact_id;
  IF NOT FOUND OR (me IS NOT NULL AND pid <> me) THEN
    RAISE EXCEPTION 'contact % does not exist', coalesce(enrol_contact.contact_id::text, 'NULL')
      USING ERRCODE = 'no_data_found', HINT = 'Enrol one of your own contacts (channel.partner_contact).';
  END IF;
  SELECT c.course_id INTO cid FROM channel.course c WHERE c.code = enrol_contact.course_code AND c.active;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'course % does not exist or is retired', coalesce(pg_catalog.quote_literal(enrol_contact.course_code), 'NULL')
      USING ERRCODE = 'no_data_found', HINT = 'See channel.course (active).';
  END IF;
  INSERT INTO channel.course_enrolment (contact_id, partner_id, course_id)
  VALUES (enrol_contact.contact_id, pid, cid)
  ON CONFLICT (contact_id, course_id) WHERE completed_at IS NULL DO NOTHING
  RETURNING enrolment_id INTO id;
  IF id IS NULL THEN
    SELECT e.enrolment_id INTO id FROM channel.course_enrolment e
    WHERE e.contact_id = enrol_contact.contact_id AND e.course_id = cid AND e.completed_at IS NULL;
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION channel.enrol_contact(bigint, text) IS
  'Enrols a partner contact in an active course by code; returns the enrolment id (the open one when already enrolled). A partner enrols its own contacts; the vendor (or its LMS) anyone''s.';

-- Completion: when it completes the contact's path for the course's (line,
-- level) -- every active on-path course completed within the rule's
-- validity -- the partner is issued the certification, valid for the rule's
-- months from the completion day (UTC), and the award is recorded.
CREATE FUNCTION channel.complete_course(enrolment_id bigint, completed_at timestamptz DEFAULT now())
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  e       channel.course_enrolment;
  c       channel.course;
  months  integer;
  pending integer;
  earned  date;
  cert_id bigint;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor can record course completions'
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'Completions are reported by the training system.',
            HINT = 'Finish the course in the vendor''s learning platform.';
  END IF;
  IF complete_course.completed_at IS NULL OR complete_course.completed_at > now() THEN
    RAISE EXCEPTION 'completed_at must be a time not in the future'
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Omit it for now.';
  END IF;
  SELECT * INTO e FROM channel.course_enrolment ce WHERE ce.enrolment_id = complete_course.enrolment_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'enrolment % does not exist', complete_course.enrolment_id
      USING ERRCODE = 'no_data_found', HINT = 'See channel.course_enrolment.';
  END IF;
  IF e.completed_at IS NOT NULL THEN
    RAISE EXCEPTION 'enrolment % is already completed', e.enrolment_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Enrol again (channel.enrol_contact()) to retake the course.';
  END IF;
  IF complete_course.completed_at < e.enrolled_at THEN
    RAISE EXCEPTION 'completed_at is before the enrolment'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = pg_catalog.format('Enrolment %s was made at %s.', e.enrolment_id, e.enrolled_at);
  END IF;
  UPDATE channel.course_enrolment ce SET completed_at = complete_course.completed_at WHERE ce.enrolment_id = e.enrolment_id;
  SELECT * INTO c FROM channel.course co WHERE co.course_id = e.course_id;
  SELECT r.valid_months INTO months FROM channel.certification_rule r WHERE r.product_line = c.product_line AND r.level = c.level;
  IF months IS NULL OR NOT c.on_path THEN
    RETURN NULL;
  END IF;
  -- path courses this contact has not completed within the validity window
  SELECT count(*) INTO pending
  FROM channel.course p
  WHERE p.product_line = c.product_line AND p.level = c.level AND p.on_path AND p.active
    AND NOT EXISTS (SELECT 1 FROM channel.course_enrolment x
                    WHERE x.contact_id = e.contact_id AND x.course_id = p.course_id
                      AND x.completed_at IS NOT NULL
                      AND x.completed_at > complete_course.completed_at - pg_catalog.make_interval(months => months));
  IF pending > 0 THEN
    RETURN NULL;
  END IF;
  earned := (complete_course.completed_at AT TIME ZONE 'UTC')::date;
  INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on)
  VALUES (e.partner_id, c.product_line, c.level, earned, (earned + pg_catalog.make_interval(months => months))::date)
  RETURNING certification_id INTO cert_id;
  INSERT INTO channel.certification_award (certification_id, contact_id, partner_id, enrolment_id)
  VALUES (cert_id, e.contact_id, e.partner_id, e.enrolment_id);
  RETURN cert_id;
END
$$;
COMMENT ON FUNCTION channel.complete_course(bigint, timestamptz) IS
  'Records a course completion (vendor or its learning platform); when it completes the contact''s path for the course''s line and level (all active on-path courses completed within the line''s validity), issues the partner the certification, valid certification_rule.valid_months from the UTC day of completion, audited in certification_award. Returns the certification id, or NULL when none was issued.';

---------------------------------------------------------------- expiry
-- SECURITY INVOKER: reads through row-level security, so a partner lists its own.
CREATE FUNCTION channel.expiring_certifications(within_days integer DEFAULT 30, as_of date DEFAULT current_date)
RETURNS TABLE (certification_id bigint, partner_id bigint, partner_name text, product_line text,
               level channel.cert_level, earned_on date, expires_on date, days_left integer, renewed boolean)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF within_days IS NULL OR within_days NOT BETWEEN 0 AND 3660 THEN
    RAISE EXCEPTION 'within_days must be between 0 and 3660, got %', coalesce(within_days::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. 30 for the certifications expiring within a month.';
  END IF;
  IF as_of IS NULL THEN
    RAISE EXCEPTION 'as_of must not be NULL'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'Omit it for today.';
  END IF;
  RETURN QUERY
  SELECT c.certification_id, c.partner_id, pa.name, c.product_line::text, c.level, c.earned_on, c.expires_on,
         c.expires_on - as_of,
         EXISTS (SELECT 1 FROM channel.certification n
                 WHERE n.partner_id = c.partner_id AND n.product_line = c.product_line AND n.level >= c.level
                   AND n.certification_id <> c.certification_id AND n.earned_on <= as_of AND n.expires_on > c.expires_on)
  FROM channel.certification c
  JOIN channel.partner pa ON pa.partner_id = c.partner_id
  WHERE c.earned_on <= as_of AND c.expires_on > as_of AND c.expires_on <= as_of + within_days
  ORDER BY c.expires_on, c.partner_id, c.certification_id;
END
$$;
COMMENT ON FUNCTION channel.expiring_certifications(integer, date) IS
  'Certifications valid on as_of that expire within within_days days (0-3660, default 30), soonest first, with days left and whether a later-expiring certification of the same line and at least that level already replaces it. Reads through row-level security: a partner gets its own.';

CREATE VIEW channel.certification_expiring WITH (security_invoker = true) AS
  SELECT * FROM channel.expiring_certifications(30, current_date);
COMMENT ON VIEW channel.certification_expiring IS
  'Certifications expiring within 30 days of today, for reminder jobs and the portal (a partner sees its own).';
COMMENT ON COLUMN channel.certification_expiring.certification_id IS 'The certification.';
COMMENT ON COLUMN channel.certification_expiring.partner_id IS 'Its partner.';
COMMENT ON COLUMN channel.certification_expiring.partner_name IS 'The partner''s name.';
COMMENT ON COLUMN channel.certification_expiring.product_line IS 'Product line certified on.';
COMMENT ON COLUMN channel.certification_expiring.level IS 'Level.';
COMMENT ON COLUMN channel.certification_expiring.earned_on IS 'First valid day.';
COMMENT ON COLUMN channel.certification_expiring.expires_on IS 'First day no longer valid.';
COMMENT ON COLUMN channel.certification_expiring.days_left IS 'Days from today to expires_on.';
COMMENT ON COLUMN channel.certification_expiring.renewed IS 'True when a later-expiring certification of the same line and at least that level exists.';

-- Trained contacts, a metric of the tier catalogue that needs the course tables.
INSERT INTO channel.tier_metric (metric, description, unit, better, source, query, windowed,
                                 takes_product_line, takes_level, missing_value, builtin) VALUES
  ('trained_contacts', 'Contacts who completed at least one course (of a product line and at least a level, when given) in the window.',
   'count', 'higher', 'query',
   $q$SELECT e.partner_id, count(DISTINCT e.contact_id)
  FROM channel.course_enrolment e JOIN channel.course c ON c.course_id = e.course_id
 WHERE e.completed_at IS NOT NULL
   AND e.completed_at >= {window_start}::timestamp AT TIME ZONE 'UTC'
   AND e.completed_at < ({as_of} + 1)::timestamp AT TIME ZONE 'UTC'
   AND ({product_line} IS NULL OR c.product_line = {product_line})
   AND c.level >= coalesce({cert_level}, 'associate')
 GROUP BY e.partner_id$q$, true, true, true, 0, true);

---------------------------------------------------------------- privileges
GRANT SELECT ON channel.onboarding_step, channel.certification_rule, channel.course
  TO channel_admin, channel_analyst, channel_partner;
GRANT INSERT, UPDATE, DELETE ON channel.onboarding_step, channel.certification_rule, channel.course TO channel_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON channel.onboarding_completion, channel.course_enrolment TO channel_admin;
GRANT SELECT ON channel.certification_award TO channel_admin;
GRANT SELECT ON channel.onboarding_completion, channel.course_enrolment, channel.certification_award
  TO channel_analyst, channel_partner;
GRANT SELECT ON channel.certification_expiring TO channel_admin, channel_analyst, channel_partner;
-- Definitions get row-level security too (enabled and forced), with policies
-- that let every channel role read them: defence in depth, and one rule for
-- every table of the extension.
DO $rls$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['onboarding_step', 'certification_rule', 'course']
  LOOP
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format('CREATE POLICY %I ON channel.%I FOR ALL TO channel_admin USING (true) WITH CHECK (true)', t || '_admin', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_admin', t,
      'Channel managers (channel_admin) see every row and write what their table privileges allow.');
    EXECUTE pg_catalog.format('CREATE POLICY %I ON channel.%I FOR SELECT TO channel_analyst, channel_partner USING (true)', t || '_read', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_read', t,
      'Analysts and partners read every row: programme definitions are the vendor''s, not any partner''s.');
  END LOOP;
END
$rls$;

DO $rls$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['onboarding_completion', 'course_enrolment', 'certification_award']
  LOOP
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format('CREATE POLICY %I ON channel.%I FOR ALL TO channel_admin USING (true) WITH CHECK (true)', t || '_admin', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_admin', t,
      'Channel managers (channel_admin) see every row (and write those their table privileges allow).');
    EXECUTE pg_catalog.format('CREATE POLICY %I ON channel.%I FOR SELECT TO channel_analyst USING (true)', t || '_analyst', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_analyst', t,
      'Analysts (channel_analyst) read every row.');
    EXECUTE pg_catalog.format('CREATE POLICY %I ON channel.%I FOR SELECT TO channel_partner USING (partner_id = channel.current_partner())',
                              t || '_own', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_own', t,
      'A partner sees its own rows; it writes them only through channel.enrol_contact() and channel.complete_onboarding_step().');
  END LOOP;
END
$rls$;


-- who may run this piece's functions besides channel_admin (00_registry.sql)
INSERT INTO channel.role_routine (role_name, routine_name) VALUES
  ('channel_partner', 'onboarding_status'),
  ('channel_partner', 'complete_onboarding_step'),
  ('channel_partner', 'enrol_contact'),
  ('channel_partner', 'expiring_certifications'),
  ('channel_partner', 'onboarding_times'),
  ('channel_analyst', 'onboarding_status'),
  ('channel_analyst', 'expiring_certifications'),
  ('channel_analyst', 'onboarding_times');

REVOKE EXECUTE ON FUNCTION channel.onboarding_status(bigint), channel.complete_onboarding_step(text, bigint, text),
  channel.partner_onboarding_gate(), channel.onboarding_times(date), channel.enrol_contact(bigint, text),
  channel.complete_course(bigint, timestamptz), channel.expiring_certifications(integer, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.onboarding_status(bigint), channel.complete_onboarding_step(text, bigint, text),
  channel.partner_onboarding_gate(), channel.onboarding_times(date), channel.enrol_contact(bigint, text),
  channel.complete_course(bigint, timestamptz), channel.expiring_certifications(integer, date) TO channel_admin;
GRANT EXECUTE ON FUNCTION channel.onboarding_status(bigint), channel.onboarding_times(date),
  channel.expiring_certifications(integer, date) TO channel_analyst, channel_partner;
GRANT EXECUTE ON FUNCTION channel.complete_onboarding_step(text, bigint, text), channel.enrol_contact(bigint, text)
  TO channel_partner;
