#!/usr/bin/env bash
# Makes the certificates the TLS tests use (spec §3.5.4, §3.7, §7; issue 4) into OUTDIR.
#
#   scripts/make-test-certs.sh OUTDIR [--with-rsa4096] [--with-rsa2048]
#
# Every certificate is made with `openssl ca` and fixed validity dates, so the files differ from
# run to run only in their keys and signatures; the names, dates and extensions are fixed:
#
#   root-ca          self-signed root, SKI, 2000-01-01 .. 2099-12-31          (.pem .der .key)
#   no-ski-ca        self-signed CA without a SubjectKeyIdentifier (AT-S.No SubjectKeyId)
#   intermediate-ca  signed by the root, SKI + AKI                              (.pem .key)
#   seed             CN ssllabs.com, SAN www.ssllabs.com, signed by the root (like the seed's site)
#   www              CN www.ssllabs.com, SAN www.ssllabs.com, signed by the root (second vhost)
#   chain            CN chain.example, signed by the intermediate; chain-fullchain.pem = leaf + int.
#   wildcard         CN *.example.com, signed by the root
#   expired          CN ssllabs.com, valid 2020-01-01 .. 2021-01-01 only
#   future           CN ssllabs.com, valid 2090-01-01 .. 2095-01-01 only
#   unknown-ca-leaf  CN ssllabs.com, signed by other-ca (a root the module never gets)
#   self-signed      CN ssllabs.com, self-signed leaf
#   client           CN client.example, clientAuth, signed by the root    (.pem .der .key .key.der)
#   forged           CN ssllabs.com, issuer name and key id of the root, signed by forger-ca
#   unknown-ca-fullchain.pem = unknown-ca-leaf + its self-signed root other-ca
#   amazon           CN www.amazon.com, signed by the intermediate; amazon-fullchain.pem = leaf + int.
#                    (the picture of the spec §8.3 log: Skip CA, then Loading:1:2)
#   ip-server        CN 192.168.0.2, SAN IP:192.168.0.2, signed by the root (spec §3.8 log)
#   big              CN big.example with 150 SAN names: a certificate over the module's 2.5 KB
#   rsa4096-ca       (--with-rsa4096 only: the key takes seconds) an intermediate with an RSA-4096
#                    key, signed by the root; rsa4096 = CN rsa4096.example signed by it,
#                    rsa4096-fullchain.pem = leaf + intermediate (spec §7, Certificate Error:22)
#   rsa-seed         (--with-rsa2048 only) CN ssllabs.com with an RSA-2048 key, signed by the root:
#                    the kind of certificate most public servers present (bench_tls)
#
# Leaves other than expired/future are valid 2020-01-01 .. 2049-12-31. Validity is checked
# against the MODULE clock (AT+S.TIME), which is 0 (1970) at power-on: a test sets the clock
# inside the window it wants (e.g. 2024 for "valid", 2022 makes `expired` fail with code 10,
# and `future` fails with 9 at any clock before 2090). The same normal leaves also fail as
# expired or not yet valid when the clock is set after 2049 or before 2020.
# Keys are EC P-256 (fast); every certificate also carries SKI and AKI key identifiers.
set -euo pipefail

usage() {
  echo "usage: $0 OUTDIR [--with-rsa4096] [--with-rsa2048]" >&2
  exit 2
}
[[ $# -ge 1 ]] || usage
out=$1
shift
with_rsa4096=
with_rsa2048=
for option in "$@"; do
  case $option in
    --with-rsa4096) with_rsa4096=$option ;;
    --with-rsa2048) with_rsa2048=$option ;;
    *) usage ;;
  esac
done
mkdir -p "$out"
cd "$out"
work=ca-work
rm -rf "$work"
mkdir -p "$work"

cat >"$work/openssl.cnf" <<'CNF'
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = ca-work
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = policy_anything
unique_subject = no
copy_extensions = none
[ policy_anything ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = placeholder
[ v3_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_root_no_ski ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = none
authorityKeyIdentifier = none
[ v3_intermediate ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_server ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = $ENV::SAN
[ v3_self_leaf ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = $ENV::SAN
[ v3_forger ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = $ENV::FORGED_SKI
[ v3_client ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

ca_serial=1000
# Runs a command silently, showing its output only when it fails.
quiet() {
  if ! "$@" >"$work/command.log" 2>&1; then
    cat "$work/command.log" >&2
    exit 1
  fi
}
fresh_database() {
  : >"$work/index.txt"
  printf '%06X\n' "$ca_serial" >"$work/serial"
  ca_serial=$((ca_serial + 1000))
}

# new_key NAME   (KEY=rsa4096 or rsa2048 in the environment makes an RSA key instead of EC P-256)
new_key() {
  if [[ ${KEY:-} == rsa4096 || ${KEY:-} == rsa2048 ]]; then
    quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"${KEY#rsa}" -out "$1.key"
  else
    quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"
  fi
}

# sign NAME CN EXTENSIONS START END ISSUER   (ISSUER "self" makes a self-signed certificate)
sign() {
  local name=$1 cn=$2 extensions=$3 start=$4 end=$5 issuer=$6
  new_key "$name"
  openssl req -new -config "$work/openssl.cnf" -key "$name.key" -subj "/O=spwf04emu test/CN=$cn" \
    -out "$work/$name.csr"
  fresh_database
  if [[ $issuer == self ]]; then
    SAN=${SAN:-DNS:$cn} quiet openssl ca -batch -config "$work/openssl.cnf" -selfsign -keyfile "$name.key" \
      -in "$work/$name.csr" -out "$name.pem" -extensions "$extensions" -notext \
      -startdate "$start" -enddate "$end"
  else
    SAN=${SAN:-DNS:$cn} quiet openssl ca -batch -config "$work/openssl.cnf" -cert "$issuer.pem" \
      -keyfile "$issuer.key" -in "$work/$name.csr" -out "$name.pem" -extensions "$extensions" \
      -notext -startdate "$start" -enddate "$end"
  fi
}

# The forger's key identifier (set below); "hash" until then, so the configuration always loads.
export FORGED_SKI=hash
long_start=20000101000000Z
long_end=20991231235959Z
leaf_start=20200101000000Z
leaf_end=20491231235959Z

SAN=DNS:root sign root-ca "spwf04emu Test Root CA" v3_root "$long_start" "$long_end" self
SAN=DNS:none sign no-ski-ca "spwf04emu CA without SKI" v3_root_no_ski "$long_start" "$long_end" self
SAN=DNS:other sign other-ca "spwf04emu Unknown CA" v3_root "$long_start" "$long_end" self
SAN=DNS:int sign intermediate-ca "spwf04emu Test Intermediate CA" v3_intermediate \
  "$long_start" "$long_end" root-ca

SAN=DNS:www.ssllabs.com sign seed ssllabs.com v3_server "$leaf_start" "$leaf_end" root-ca
SAN=DNS:www.ssllabs.com sign www www.ssllabs.com v3_server "$leaf_start" "$leaf_end" root-ca
SAN=DNS:chain.example sign chain chain.example v3_server "$leaf_start" "$leaf_end" intermediate-ca
SAN=DNS:*.example.com sign wildcard '*.example.com' v3_server "$leaf_start" "$leaf_end" root-ca
SAN=DNS:ssllabs.com sign expired ssllabs.com v3_server 20200101000000Z 20210101000000Z root-ca
SAN=DNS:ssllabs.com sign future ssllabs.com v3_server 20900101000000Z 20950101000000Z root-ca
SAN=DNS:ssllabs.com sign unknown-ca-leaf ssllabs.com v3_server "$leaf_start" "$leaf_end" other-ca
SAN=DNS:ssllabs.com sign self-signed ssllabs.com v3_self_leaf "$leaf_start" "$leaf_end" self
SAN=DNS:client.example sign client client.example v3_client "$leaf_start" "$leaf_end" root-ca

# A forgery: a CA with the root's name and the root's key identifier but a key of its own, and a
# leaf it signs. By names and identifiers the leaf belongs to the stored root; only the signature
# check can tell (Certificate Error:7).
FORGED_SKI=$(openssl x509 -in root-ca.pem -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' ')
export FORGED_SKI
SAN=DNS:root sign forger-ca "spwf04emu Test Root CA" v3_forger "$long_start" "$long_end" self
SAN=DNS:ssllabs.com sign forged ssllabs.com v3_server "$leaf_start" "$leaf_end" forger-ca

cat chain.pem intermediate-ca.pem >chain-fullchain.pem
cat unknown-ca-leaf.pem other-ca.pem >unknown-ca-fullchain.pem

SAN=DNS:www.amazon.com sign amazon www.amazon.com v3_server "$leaf_start" "$leaf_end" intermediate-ca
cat amazon.pem intermediate-ca.pem >amazon-fullchain.pem
SAN=IP:192.168.0.2 sign ip-server 192.168.0.2 v3_server "$leaf_start" "$leaf_end" root-ca
big_san=DNS:big.example
for index in $(seq 1 150); do big_san+=",DNS:host-$index.big.example"; done
SAN=$big_san sign big big.example v3_server "$leaf_start" "$leaf_end" root-ca
if [[ $with_rsa4096 == --with-rsa4096 ]]; then
  KEY=rsa4096 SAN=DNS:rsa4096-ca sign rsa4096-ca "spwf04emu RSA-4096 Intermediate CA" \
    v3_intermediate "$long_start" "$long_end" root-ca
  SAN=DNS:rsa4096.example sign rsa4096 rsa4096.example v3_server "$leaf_start" "$leaf_end" \
    rsa4096-ca
  cat rsa4096.pem rsa4096-ca.pem >rsa4096-fullchain.pem
fi
if [[ $with_rsa2048 == --with-rsa2048 ]]; then
  KEY=rsa2048 SAN=DNS:www.ssllabs.com sign rsa-seed ssllabs.com v3_server "$leaf_start" "$leaf_end" \
    root-ca
fi

# DER copies of what the module is given with TLSCERT, for the DER paths and the fuzz corpus.
for name in root-ca client seed; do
  openssl x509 -in "$name.pem" -outform DER -out "$name.der"
done
openssl pkey -in client.key -outform DER -out client.key.der

rm -rf "$work"
