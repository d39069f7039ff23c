#!/usr/bin/env bash
# Creates a federation's CA and issues every certificate the deployment needs.
# Usage: deploy/provision-certificates.sh PKI_DIR AGGREGATOR_HOST PARTICIPANT_ID [PARTICIPANT_ID...]
set -euo pipefail
if (( $# < 3 )); then
  echo "usage: $0 PKI_DIR AGGREGATOR_HOST PARTICIPANT_ID [PARTICIPANT_ID...]" >&2
  exit 2
fi
pki="$1" host="$2"; shift 2
console="${FEDDISTILL_CONSOLE:-dotnet /opt/feddistill/console/feddistill.dll}"
$console admin ca create --dir "$pki/ca" --name "${FEDDISTILL_FEDERATION:-feddistill}"
# The aggregator's silo certificate serves the cluster's mutual TLS and its web side's HTTPS.
$console admin issue silo --ca-dir "$pki/ca" --site aggregator --host "$host" --out "$pki/aggregator"
$console admin issue admin --ca-dir "$pki/ca" --out "$pki/admin"
for id in "$@"; do
  # 127.0.0.1: the organization's web side (/healthz) listens on loopback only.
  $console admin issue silo --ca-dir "$pki/ca" --site "$id" --host 127.0.0.1 --out "$pki/$id"
done
echo "Give each organization $pki/ca/ca.crt and its own $pki/<id>/ folder; keep $pki/ca/ca.key offline."
