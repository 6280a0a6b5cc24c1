-- DprCluster: the PostgreSQL schema and queries for Orleans membership (Microsoft.Orleans.Clustering.AdoNet 10.4.2,
-- invariant Npgsql), selected by Cluster:Membership:Provider=postgres. The ADO.NET provider ships no SQL: it reads the
-- query texts below from OrleansQuery by key and binds its own parameters (@DeploymentId is the cluster id).
--
-- Apply once per database before the first silo starts; re-applying is safe (tables are kept, functions and query
-- texts are replaced), so it also upgrades a database created by an older copy of this script:
--   psql -v ON_ERROR_STOP=1 -f deploy/postgres/orleans-membership.sql "host=... port=5432 dbname=... user=..."
-- The silos' role needs SELECT on orleansquery, SELECT/INSERT/UPDATE/DELETE on both membership tables and EXECUTE on
-- the two functions.
--
-- Contract with the provider: result columns are matched by name (PostgreSQL folds the unquoted names to lower case,
-- Npgsql matches them case-insensitively); the insert and update queries return one boolean column, true only when
-- the row was written and the table version moved from @Version to @Version + 1 (optimistic concurrency).

BEGIN;

-- Query texts by key; Orleans issues exactly "SELECT QueryKey, QueryText FROM OrleansQuery" at startup and fails when a
-- key it needs is missing.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey varchar(64) NOT NULL,
    QueryText text NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

-- One row per cluster: its version is the etag every membership change must present and bump.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId text NOT NULL,
    Timestamp timestamptz NOT NULL DEFAULT now(),
    Version integer NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

-- One row per silo incarnation (address, port, generation). SuspectTimes is Orleans' own encoding of the votes
-- against the silo ("silo,time|silo,time"), stored as given.
CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId text NOT NULL,
    Address text NOT NULL,
    Port integer NOT NULL,
    Generation integer NOT NULL,
    SiloName text NOT NULL,
    HostName text NOT NULL,
    Status integer NOT NULL,
    ProxyPort integer NOT NULL DEFAULT 0,
    SuspectTimes text NULL,
    StartTime timestamptz NOT NULL,
    IAmAliveTime timestamptz NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Adds a silo's row if the cluster is still at the version the caller read. The version row is locked first, so
-- concurrent writers of one cluster queue there; one that waited re-reads the version, finds it moved and gives up
-- before changing anything (no partial write to roll back).
CREATE OR REPLACE FUNCTION dprcluster_membership_insert(
    p_deployment_id text, p_address text, p_port integer, p_generation integer, p_silo_name text, p_host_name text,
    p_status integer, p_proxy_port integer, p_start_time timestamptz, p_i_am_alive_time timestamptz,
    p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM 1 FROM OrleansMembershipVersionTable
    WHERE DeploymentId = p_deployment_id AND Version = p_expected_version
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
         p_start_time, p_i_am_alive_time)
    ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_deployment_id;
    RETURN true;
END
$function$;

-- Changes a silo's status, suspicions and heartbeat under the same version check as the insert.
CREATE OR REPLACE FUNCTION dprcluster_membership_update(
    p_deployment_id text, p_address text, p_port integer, p_generation integer, p_status integer,
    p_suspect_times text, p_i_am_alive_time timestamptz, p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM 1 FROM OrleansMembershipVersionTable
    WHERE DeploymentId = p_deployment_id AND Version = p_expected_version
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE OrleansMembershipTable
    SET Status = p_status, SuspectTimes = p_suspect_times, IAmAliveTime = p_i_am_alive_time
    WHERE DeploymentId = p_deployment_id AND Address = p_address AND Port = p_port AND Generation = p_generation;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = p_deployment_id;
    RETURN true;
END
$function$;

-- The query texts. Each read is one statement, so the rows and the version it returns come from one snapshot.
INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
    -- Creates the cluster's version row; true only for the silo that created it.
    ('InsertMembershipVersionKey', $query$
WITH created AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created);
$query$),

    ('InsertMembershipKey', $query$
SELECT dprcluster_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
    @ProxyPort, @StartTime, @IAmAliveTime, @Version);
$query$),

    ('UpdateMembershipKey', $query$
SELECT dprcluster_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
    @IAmAliveTime, @Version);
$query$),

    -- The heartbeat: no version check and no version bump, by the membership protocol's design.
    ('UpdateIAmAlivetimeKey', $query$
UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
$query$),

    -- One silo's row with the table version. The outer join keeps the version row when the silo has no row (the
    -- provider then sees no entry: it tests StartTime for null).
    ('MembershipReadRowKey', $query$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
    m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
    ON m.DeploymentId = v.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
$query$),

    ('MembershipReadAllKey', $query$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
    m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
$query$),

    -- Gateways for Orleans clients: active silos that opened a client gateway (ProxyPort 0 means none).
    ('GatewaysQueryKey', $query$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
$query$),

    -- Forgets a whole cluster; the member rows go first because they reference the version row.
    ('DeleteMembershipTableEntriesKey', $query$
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$query$),

    -- Drops rows of silos that are not active (3 = SiloStatus.Active) and have shown no sign of life since the cutoff
    -- (@IAmAliveTime); a silo that never sent a heartbeat counts from its start.
    ('CleanupDefunctSiloEntriesKey', $query$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status <> 3 AND GREATEST(IAmAliveTime, StartTime) < @IAmAliveTime;
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

COMMIT;
