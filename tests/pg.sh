# pg.sh — a private PostgreSQL server for one test (sourced by tests/lib.sh and by
# tests/with-postgresql.sh): initdb into a temporary directory, the server on a Unix socket in
# that directory only (no TCP port), one database per instance the test makes, and everything
# stopped and removed at the end. PostgreSQL refuses to run as root: as root the server runs as
# `nobody`. The server binaries are Debian's postgresql-15 (CT_PG_BIN to use others).
PG_BIN=${CT_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_DIR=
PG_AS=()

# pg_start [OPTION...]: start the server (PG_DIR is its directory and socket directory). It
# outlives no test: a watcher stops it once the test's shell is gone, whatever that shell's own
# EXIT trap does (many tests set theirs) and however it ended (a CTest timeout kills it). Each
# OPTION is a server setting NAME=VALUE given after the tests' own, so it overrides them: a
# benchmark of durable commits starts it with `pg_start fsync=on synchronous_commit=on`.
pg_start() {
    local owner=$$ extra="" option
    for option in "$@"; do  # one word each: pg_ctl hands -o to a shell
        [[ $option =~ ^[a-z_.]+=[A-Za-z0-9_.:-]+$ ]] ||
            { echo "pg.sh: a server option is NAME=VALUE, not $option" >&2; return 1; }
        extra+=" -c $option"
    done
    PG_DIR=$(mktemp -d /tmp/chungthu-pg.XXXXXX) || return 1
    chmod 0755 "$PG_DIR"
    if [ "$(id -u)" = 0 ]; then
        chown nobody:nogroup "$PG_DIR"
        PG_AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
    fi
    # durability is the server's business, not these tests': no fsync (initdb -N, fsync=off)
    if ! (cd "$PG_DIR" && "${PG_AS[@]}" "$PG_BIN/initdb" -N -D "$PG_DIR/data" -U chungthu \
        --auth=trust --locale=C -E UTF8 >"$PG_DIR/initdb.log" 2>&1 &&
        "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
            -o "-k $PG_DIR -c listen_addresses= -c fsync=off -c max_connections=300$extra" \
            start >/dev/null); then
        echo "pg.sh: the PostgreSQL server did not start" >&2
        cat "$PG_DIR/initdb.log" "$PG_DIR/server.log" >&2 2>/dev/null
        return 1
    fi
    # the tests read databases with SQLite's SQL (lib.sh's sqlite3): the SQLite functions they
    # use, in every database made from here on (json_extract answers a JSON boolean as 1 or 0)
    psql -X -q -h "$PG_DIR" -U chungthu -d template1 -v ON_ERROR_STOP=1 -c "
        CREATE FUNCTION group_concat_step(acc text, v text) RETURNS text LANGUAGE sql
            IMMUTABLE STRICT AS \$\$ SELECT acc || ',' || v \$\$;
        CREATE AGGREGATE group_concat(text) (SFUNC = group_concat_step, STYPE = text);
        CREATE FUNCTION group_concat_step(acc text, v text, sep text) RETURNS text LANGUAGE sql
            IMMUTABLE STRICT AS \$\$ SELECT acc || sep || v \$\$;
        CREATE AGGREGATE group_concat(text, text) (SFUNC = group_concat_step, STYPE = text);
        CREATE FUNCTION hex(b bytea) RETURNS text LANGUAGE sql IMMUTABLE STRICT
            AS \$\$ SELECT upper(encode(b, 'hex')) \$\$;
        CREATE FUNCTION json_extract(j text, path text) RETURNS text LANGUAGE sql IMMUTABLE
            STRICT AS \$\$ SELECT CASE jsonb_typeof(v) WHEN 'boolean' THEN (v::boolean)::int::text
            ELSE v #>> '{}' END FROM (SELECT j::jsonb #> string_to_array(substr(path, 3), '.')
            AS v) s \$\$;" ||
        return 1
    (
        trap '' HUP INT TERM
        while kill -0 "$owner" 2>/dev/null; do sleep 0.2; done
        pg_stop
    ) </dev/null >/dev/null 2>&1 &
    disown
}

# pg_createdb: make a fresh database and print its URL.
pg_createdb() {
    local name  # unique without a counter: callers run it in a subshell
    name=ct_$(date +%s%N)_$RANDOM
    "$PG_BIN/createdb" -h "$PG_DIR" -U chungthu "$name" || return 1
    echo "postgresql:///$name?host=$PG_DIR&user=chungthu"
}

# pg_standby_start: a hot standby of the server (pg_basebackup -R: streaming replication from
# it), in $PG_DIR/standby, on its own socket directory $PG_STANDBY (printed URLs use host=it).
PG_STANDBY=
pg_standby_start() {
    PG_STANDBY=$PG_DIR/standby
    mkdir -m 0700 "$PG_STANDBY" && chown --reference="$PG_DIR" "$PG_STANDBY" || return 1
    (cd "$PG_DIR" && "${PG_AS[@]}" "$PG_BIN/pg_basebackup" -h "$PG_DIR" -U chungthu -D "$PG_STANDBY/data" \
        -R -X stream -c fast >"$PG_STANDBY/basebackup.log" 2>&1 &&
        "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_STANDBY/data" -l "$PG_STANDBY/server.log" -w -t 60 \
            -o "-k $PG_STANDBY -c listen_addresses= -c fsync=off -c max_connections=300 -c hot_standby=on" \
            start >/dev/null) || {
        echo "pg.sh: the standby did not start" >&2
        cat "$PG_STANDBY/basebackup.log" "$PG_STANDBY/server.log" >&2 2>/dev/null
        return 1
    }
}

# pg_standby_promote: the standby becomes a primary (failover), waiting until it is one.
pg_standby_promote() {
    (cd "$PG_DIR" && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_STANDBY/data" -w -t 60 promote >/dev/null)
}

# pg_primary_stop: the primary goes away (the standby stays): a failed primary.
pg_primary_stop() {
    (cd "$PG_DIR" && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1)
}

# pg_stop: stop the server (immediately: nothing of it is kept) and remove its directory.
pg_stop() {
    [ -n "$PG_DIR" ] || return 0
    if [ -d "$PG_DIR/standby/data" ]; then
        (cd "$PG_DIR" && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/standby/data" -m immediate -w stop \
            >/dev/null 2>&1)
    fi
    (cd "$PG_DIR" && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop \
        >/dev/null 2>&1)
    rm -rf "$PG_DIR"
    PG_DIR=
}
