#!/usr/bin/env bash
# Starts or stops a throwaway MariaDB server for the tests.
#   scripts/mariadb-test-cluster.sh start STATE_DIR   # writes STATE_DIR/url (and socket, env,
#                                                     # tls-*.pem)
#   scripts/mariadb-test-cluster.sh stop STATE_DIR
#   scripts/mariadb-test-cluster.sh start STATE_DIR galera              # a one-node Galera cluster
#   scripts/mariadb-test-cluster.sh start STATE_DIR2 galera-join STATE_DIR  # a second node joins it
#   scripts/mariadb-test-cluster.sh start STATE_DIR notls               # a server that offers no TLS
# The server listens on 127.0.0.1 only, on a free port, and checks passwords (no
# --skip-grant-tables), so that wrong-password tests are real. STATE_DIR/url is
# mariadb://strata:PASSWORD@127.0.0.1:PORT/strata_test; the user `strata` may create and drop
# databases (scratch databases of the tests). The server also speaks TLS, with a certificate for
# 127.0.0.1 signed by STATE_DIR/tls-ca.pem (tls-other-ca.pem signed nothing); the user
# `strata_x509`, with the same password and grants, must show the client certificate
# STATE_DIR/tls-client.pem (key tls-client-key.pem). The data directory, socket, pid file and log live in
# a temporary directory named in STATE_DIR/datadir: as root the server runs as the `mysql` user,
# which cannot write into the build tree, and a socket path must stay short (108 bytes).
set -euo pipefail

usage="usage: mariadb-test-cluster.sh start|stop STATE_DIR [galera | galera-join DONOR_STATE_DIR | notls]"
cmd=${1:?$usage}
state=${2:?$usage}
# galera: the server is the one node of a Galera cluster it bootstraps (galera-4, a dependency of
# Debian's mariadb-server), for the tests of what strata says and does there. galera-join: the
# server joins the cluster of the node started in DONOR_STATE_DIR, as a second node that receives
# the donor's data (users, password and TLS files included) by rsync (a dependency of
# mariadb-server too); its url is the donor's with its own port. notls: the server offers no TLS
# (the tests of what sslmode=require does then); the tls-*.pem files are made all the same.
mode=${3:-}
donor=${4:-}
case $mode in '' | galera | galera-join | notls) ;; *) echo "$usage" >&2; exit 2 ;; esac
if [ "$mode" = galera-join ] && [ ! -f "$donor/url" ]; then
  echo "mariadb-test-cluster: galera-join needs the state directory of a running galera node" >&2
  exit 2
fi
for tool in mariadb-install-db mariadbd mariadb mariadb-admin openssl; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
    echo "mariadb-test-cluster: $tool not found (scripts/install-deps.sh installs mariadb-server, mariadb-client and openssl)" >&2
    exit 1
  }
done
mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)

as_mysql() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u mysql -- "$@"; else "$@"; fi
}

# The server of data directory $1, if its pid file names a live mariadbd of that directory (a stale
# pid file may name an unrelated process by now).
server_pid() {
  local data=$1 pid
  [ -f "$data/mariadbd.pid" ] || return 1
  pid=$(cat "$data/mariadbd.pid" 2>/dev/null) || return 1
  case $pid in '' | *[!0-9]*) return 1 ;; esac
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--datadir=$data/db" || return 1
  echo "$pid"
}

stop() {
  if [ -f "$state/datadir" ]; then
    local data pid
    data=$(cat "$state/datadir")
    if pid=$(server_pid "$data"); then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    case $data in /tmp/strata-mariadb.*) rm -rf "$data" ;; esac
  fi
  rm -f "$state"/tls-*.pem
  rm -f "$state/url" "$state/env" "$state/socket" "$state/datadir"
}

fail() {
  echo "mariadb-test-cluster: $1" >&2
  local f
  for f in "$data/mariadbd.out" "$data/server.log"; do
    [ -s "$f" ] && { echo "---- $f" >&2; tail -n 80 "$f" >&2; }
  done
  local pid
  if pid=$(server_pid "$data"); then kill -KILL "$pid" 2>/dev/null || true; fi
  exit 1
}

# TLS for the tests of sslmode: a CA, a certificate for 127.0.0.1 that it signed, and a second CA
# that signed nothing (a client that trusts only it must refuse the server). EC keys: made in ms.
make_tls() {
  local dir=$data/tls
  mkdir -p "$dir"
  local ca
  for ca in ca other-ca; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
      -subj "/CN=strata test $ca" -keyout "$dir/$ca-key.pem" -out "$dir/$ca.pem" >/dev/null 2>&1 \
      || fail "openssl could not make the test $ca"
  done
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$dir/server-key.pem" -out "$dir/server.csr" >/dev/null 2>&1 \
    || fail "openssl could not make the test server key"
  printf 'subjectAltName = IP:127.0.0.1\n' >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial -days 2 \
    -extfile "$dir/server.ext" -out "$dir/server.pem" >/dev/null 2>&1 \
    || fail "openssl could not sign the test server certificate"
  # A client certificate for the account that requires one (strata_x509, below).
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=strata test client" \
    -keyout "$dir/client-key.pem" -out "$dir/client.csr" >/dev/null 2>&1 \
    || fail "openssl could not make the test client key"
  openssl x509 -req -in "$dir/client.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial -days 2 \
    -out "$dir/client.pem" >/dev/null 2>&1 \
    || fail "openssl could not sign the test client certificate"
  if [ "$(id -u)" -eq 0 ]; then chown -R mysql: "$dir"; fi
}

# Starts mariadbd on "$data" on the first free port from 53306 and sets $port. Another server (a
# parallel test run) may take a port between the check and the bind: then the next one is tried.
launch() {
  port=""
  local p pid gcomm_tries=0
  local -a wsrep=() tls=(--ssl-ca="$data/tls/ca.pem" --ssl-cert="$data/tls/server.pem" --ssl-key="$data/tls/server-key.pem")
  [ "$mode" = notls ] && tls=()
  for p in $(seq 53306 53505); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
    if [ "$mode" = galera ] || [ "$mode" = galera-join ]; then
      # Its group communication listens on a port of its own, 300 above the server's; a joining
      # node also receives the donor's data (SST, 500 above) or its missing writes (IST, 400 above).
      if (exec 3<>"/dev/tcp/127.0.0.1/$((p + 300))") 2>/dev/null; then continue; fi
      if (exec 3<>"/dev/tcp/127.0.0.1/$((p + 400))") 2>/dev/null; then continue; fi
      if (exec 3<>"/dev/tcp/127.0.0.1/$((p + 500))") 2>/dev/null; then continue; fi
      local cluster=gcomm://
      [ "$mode" = galera-join ] && cluster=gcomm://127.0.0.1:$((donor_port + 300))
      wsrep=(--wsrep-on=ON --wsrep-provider=/usr/lib/galera/libgalera_smm.so --wsrep-cluster-address="$cluster"
        --wsrep-node-address=127.0.0.1 --wsrep-node-name="node-$p"
        --wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$((p + 300));ist.recv_addr=127.0.0.1:$((p + 400))"
        --wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:$((p + 500))"
        --binlog-format=ROW --innodb-autoinc-lock-mode=2)
    fi
    rm -f "$data/server.log"  # the server writes it (as mysql when root)
    as_mysql "$mariadbd" --no-defaults --datadir="$data/db" --socket="$data/mariadbd.sock" \
      --pid-file="$data/mariadbd.pid" --log-error="$data/server.log" --bind-address=127.0.0.1 --port="$p" \
      --tmpdir="$data/tmp" --skip-name-resolve --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      --max-connections=300 --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 \
      --innodb-doublewrite=0 --skip-log-bin --secure-file-priv="$data" \
      "${tls[@]}" "${wsrep[@]}" </dev/null >"$data/mariadbd.out" 2>&1 &
    local launched=$!
    # Ready when it answers on its socket; it gives up on a port it cannot bind.
    for _ in $(seq 1 600); do
      if ! kill -0 "$launched" 2>/dev/null; then break; fi
      if mariadb-admin --no-defaults --socket="$data/mariadbd.sock" -uroot --connect-timeout=2 ping \
        >/dev/null 2>&1; then
        port=$p
        return 0
      fi
      sleep 0.1
    done
    if kill -0 "$launched" 2>/dev/null; then
      fail "the server did not answer within 60 s"
    fi
    wait "$launched" 2>/dev/null || true
    # Galera's group communication can fail to start on a loaded machine (a thread it made was gone
    # before its priority was set: "Failed to set thread schedparams ... No such process"); a start
    # on the next ports goes through. Three tries, then it is a failure like any other.
    if grep -q "failed to open gcomm backend connection" "$data/server.log" 2>/dev/null \
      && [ "$((gcomm_tries += 1))" -lt 3 ]; then
      sleep 1
      continue
    fi
    # grep reads the files itself: `cat | grep -q` under pipefail fails when grep stops at the match
    # before cat has written a long log (a Galera node's), and the port clash looked like a crash.
    grep -qs "Can't start server: Bind on TCP/IP port\|Address already in use" "$data/server.log" "$data/mariadbd.out" \
      || fail "the server exited at start-up"
  done
  fail "could not start a server on any port from 53306 to 53505"
}

case "$cmd" in
  stop)
    stop
    exit 0
    ;;
  start)
    mkdir -p "$state"
    stop
    data=$(mktemp -d /tmp/strata-mariadb.XXXXXX)
    echo "$data" >"$state/datadir"
    if [ "$(id -u)" -eq 0 ]; then chown mysql: "$data"; fi
    if [ "$mode" = galera-join ]; then
      # The donor sends its data directory; the TLS files are the donor's too.
      donor_url=$(cat "$donor/url")
      donor_port=${donor_url##*:}
      donor_port=${donor_port%%/*}
      as_mysql mkdir "$data/db" "$data/tmp"
      cp -r "$(cat "$donor/datadir")/tls" "$data/tls"
      if [ "$(id -u)" -eq 0 ]; then chown -R mysql: "$data/tls"; fi
      launch
      url=${donor_url/127.0.0.1:$donor_port\//127.0.0.1:$port\/}
      echo "$url" >"$state/url"
      echo "$data/mariadbd.sock" >"$state/socket"
      echo "STRATA_MARIADB_URL=$url" >"$state/env"
      echo "mariadb-test-cluster: MariaDB on 127.0.0.1:$port joined the Galera node on 127.0.0.1:$donor_port ($data)"
      exit 0
    fi
    # Temporary files in a directory of its own: servers that other tests start at the same time
    # share /tmp, and one bootstrap failed there deleting its own temporary table.
    as_mysql mkdir "$data/tmp"
    as_mysql mariadb-install-db --no-defaults --datadir="$data/db" --tmpdir="$data/tmp" \
      --auth-root-authentication-method=normal \
      --skip-test-db --skip-name-resolve >"$data/install-db.log" 2>&1 \
      || { cat "$data/install-db.log" >&2; fail "mariadb-install-db failed"; }
    make_tls
    launch
    password="strata-test-$RANDOM$RANDOM"
    # root keeps no password but only its socket account: nothing on the network gets in without one.
    mariadb --no-defaults --socket="$data/mariadbd.sock" -uroot <<SQL || fail "could not create the test user"
DELETE FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost';
FLUSH PRIVILEGES;
CREATE USER 'strata'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER 'strata'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO 'strata'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'strata'@'localhost';
CREATE USER 'strata_x509'@'127.0.0.1' IDENTIFIED BY '$password' REQUIRE X509;
GRANT ALL PRIVILEGES ON *.* TO 'strata_x509'@'127.0.0.1';
CREATE DATABASE strata_test CHARACTER SET utf8mb4;
SQL
    echo "mariadb://strata:$password@127.0.0.1:$port/strata_test" >"$state/url"
    echo "$data/mariadbd.sock" >"$state/socket"
    cp "$data/tls/ca.pem" "$state/tls-ca.pem"
    cp "$data/tls/other-ca.pem" "$state/tls-other-ca.pem"
    cp "$data/tls/client.pem" "$state/tls-client.pem"
    cp "$data/tls/client-key.pem" "$state/tls-client-key.pem"
    echo "STRATA_MARIADB_URL=mariadb://strata:$password@127.0.0.1:$port/strata_test" >"$state/env"
    echo "mariadb-test-cluster: MariaDB $("$mariadbd" --version | awk '{print $3}') on 127.0.0.1:$port ($data)"
    ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac
