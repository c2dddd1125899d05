#!/usr/bin/env bash
# Builds the distribution from the tree into dist/ (docs/packaging.md explains every file):
#   dist/cfrun-<version>.tar.gz    relocatable: bin/ (the launchers), lib/ (the three shaded jars), man/man1,
#                                  man/man8, completion/, contrib/, doc/; unpack anywhere (e.g. /opt/cfrun)
#   dist/cfrun_<debversion>_all.deb   built with dpkg-deb (Debian's own tools, nothing downloaded)
# Reproducible: the build copies the tracked files of the tree (uncommitted changes included, untracked and
# target/ not) to a temporary directory and builds there (mvn package -DskipTests, offline when ~/.m2 has
# everything), SOURCE_DATE_EPOCH is the last commit's time, the archives are sorted with fixed owners and
# times and gzip -n; two runs on the same commit give the same bytes (scripts/dist-test.sh checks it).
# Man pages: generated from the code (scripts/lib/ManPages.java: picocli-codegen's ManPageGenerator for the
# picocli commands, the --help text for the handler and the plugin) and turned into roff by asciidoctor.
# Needs: JDK 17+, Maven, dpkg-deb, asciidoctor (scripts/lib/peers.sh install_dist_tools), git.
# Usage: scripts/dist.sh [--out DIR] [--keep-build]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
out=$repo/dist
keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --keep-build) keep=1; shift ;;
    *) echo "usage: scripts/dist.sh [--out DIR] [--keep-build]" >&2; exit 2 ;;
  esac
done
for t in dpkg-deb asciidoctor git java mvn; do
  command -v "$t" >/dev/null 2>&1 || { echo "dist: $t is missing (scripts/lib/peers.sh: install_dist_tools)" >&2; exit 1; }
done

export LC_ALL=C.UTF-8 TZ=UTC
umask 022
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export SOURCE_DATE_EPOCH
commit=$(git rev-parse --short=12 HEAD)
[ -z "$(git status --porcelain --untracked-files=no)" ] \
  || echo "dist: the tree has uncommitted changes: the result is not the build of commit $commit" >&2

version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)
picocli_version=$(sed -n 's:.*<picocli.version>\(.*\)</picocli.version>.*:\1:p' pom.xml)
# Debian version: a snapshot sorts before its release (~) and names the commit; -1: the first packaging of it
case "$version" in
  *-SNAPSHOT) deb_version="${version%-SNAPSHOT}~SNAPSHOT+git$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d).$(git rev-parse --short=7 HEAD)-1" ;;
  *) deb_version="$version-1" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/cfrun-dist.XXXXXX")
cleanup() { [ -n "$keep" ] && echo "dist: build directory kept: $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

# --- build: the tracked files only, in a directory of their own ---
src=$work/src
mkdir -p "$src"
git ls-files -z | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$src"
modules=cfrun-cli,nagios-handler,remediation-service
mvn_args=(-B -q package -DskipTests -Dcds.skip=true -pl "$modules" -am)
echo ">> dist: mvn package ($version, commit $commit, SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)" >&2
if ! (cd "$src" && mvn -o "${mvn_args[@]}" >"$work/mvn.log" 2>&1); then
  if grep -q 'offline mode\|has not been downloaded' "$work/mvn.log"; then
    echo ">> dist: not everything is in ~/.m2: building online" >&2
    (cd "$src" && mvn "${mvn_args[@]}") || exit 1
  else
    cat "$work/mvn.log" >&2
    exit 1
  fi
fi
jars=("$src/cfrun-cli/target/cfrun.jar" "$src/nagios-handler/target/cfrun-nagios.jar"
      "$src/remediation-service/target/cfrun-service.jar")

# --- man pages and completion, from the built code ---
codegen=$HOME/.m2/repository/info/picocli/picocli-codegen/$picocli_version/picocli-codegen-$picocli_version.jar
if [ ! -f "$codegen" ]; then
  (cd "$src" && mvn -B -q dependency:get -Dartifact="info.picocli:picocli-codegen:$picocli_version" -Dtransitive=false) \
    || { echo "dist: picocli-codegen $picocli_version could not be had" >&2; exit 1; }
fi
gen=$work/gen
mkdir -p "$gen/adoc" "$gen/man1" "$gen/man8" "$gen/completion"
java -cp "$(IFS=:; echo "${jars[*]}"):$codegen" scripts/lib/ManPages.java "$gen/adoc" "$version" >&2
for f in "$gen"/adoc/*.adoc; do
  n=${f##*/}; n=${n%.adoc}; section=${n##*.}
  asciidoctor -b manpage -a reproducible -a "revdate=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)" \
    -o "$gen/man$section/$n" "$f"
done
# the bash completion script, as `cfrun completion` prints it (less picocli's #! line: it is sourced)
java -cp "${jars[0]}" dev.cfrun.cli.Main completion | sed '1{/^#!/d}' > "$gen/completion/cfrun"

# --- the tree both archives are made of ---
# stage_tree DIR: bin/ lib/ as the launchers expect them (lib/ beside bin/, bin/lib/ the sourced scripts)
stage_tree() {
  install -d "$1/bin/lib" "$1/lib"
  install -m 0755 bin/cfrun bin/cfrun-event-handler bin/check_cfserverd bin/cfrun-service "$1/bin/"
  install -m 0644 bin/lib/launch.sh bin/lib/cds.sh "$1/bin/lib/"
  install -m 0644 "${jars[@]}" "$1/lib/"
}
# gz_man SRC DEST: gzip -9n (no name, no time stamp)
gz_man() { gzip -9nc "$1" > "$2"; }

# archive mtimes: every file as old as the commit
fix_times() { find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }

# only what this script writes: --out may name a directory that holds other files
mkdir -p "$out"
rm -f "$out"/cfrun_*_all.deb "$out"/cfrun-*.tar.gz "$out"/SHA256SUMS

# --- tarball ---
name=cfrun-$version
t=$work/tar/$name
stage_tree "$t"
install -d "$t/man/man1" "$t/man/man8" "$t/completion" "$t/contrib" "$t/doc"
for f in "$gen"/man1/*; do gz_man "$f" "$t/man/man1/${f##*/}.gz"; done
for f in "$gen"/man8/*; do gz_man "$f" "$t/man/man8/${f##*/}.gz"; done
install -m 0644 "$gen/completion/cfrun" "$t/completion/cfrun"
install -m 0644 contrib/* "$t/contrib/"
install -m 0644 README.md docs/*.md packaging/deb/copyright "$t/doc/"
[ -f LICENSE ] && install -m 0644 LICENSE "$t/doc/"
fix_times "$t"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -C "$work/tar" -cf - "$name" | gzip -9n > "$out/$name.tar.gz"

# --- .deb ---
d=$work/deb
stage_tree "$d/usr/share/cfrun"
# the class-data-sharing archives postinst makes (bin/lib/cds.sh: <jar dir>/cds/) live in /var/cache
install -d "$d/var/cache/cfrun"
ln -s /var/cache/cfrun "$d/usr/share/cfrun/lib/cds"
install -d "$d/usr/bin" "$d/usr/lib/nagios/plugins"
for b in cfrun cfrun-event-handler check_cfserverd cfrun-service; do
  ln -s "../share/cfrun/bin/$b" "$d/usr/bin/$b"
done
ln -s ../../../share/cfrun/bin/check_cfserverd "$d/usr/lib/nagios/plugins/check_cfserverd"
install -d "$d/usr/share/bash-completion/completions"
install -m 0644 "$gen/completion/cfrun" "$d/usr/share/bash-completion/completions/cfrun"
install -d "$d/usr/share/man/man1" "$d/usr/share/man/man8"
for f in "$gen"/man1/*; do gz_man "$f" "$d/usr/share/man/man1/${f##*/}.gz"; done
for f in "$gen"/man8/*; do gz_man "$f" "$d/usr/share/man/man8/${f##*/}.gz"; done
doc=$d/usr/share/doc/cfrun
install -d "$doc"
install -m 0644 packaging/deb/copyright "$doc/copyright"
install -m 0644 README.md docs/*.md "$doc/"
sed -e "s/@DEB_VERSION@/$deb_version/" -e "s/@GIT_COMMIT@/$commit/" \
    -e "s/@DATE_RFC2822@/$(date -u -R -d "@$SOURCE_DATE_EPOCH")/" packaging/deb/changelog.in \
  | gzip -9n > "$doc/changelog.Debian.gz"
# the unit, with the paths of the package (contrib/ has the /opt/cfrun ones of the tarball); not enabled
install -d "$d/lib/systemd/system"
sed -e 's:/opt/cfrun/bin/:/usr/bin/:g' \
    -e 's|^Documentation=file:///opt/cfrun/docs/alertmanager.md|Documentation=man:cfrun-service(8) file:///usr/share/doc/cfrun/alertmanager.md|' \
    -e 's|(the tree at /opt/cfrun)|(the .deb installs it in /lib/systemd/system)|' \
    -e 's|^# Install: cp contrib/cfrun-service.service /etc/systemd/system/|# Install (tarball): cp contrib/cfrun-service.service /etc/systemd/system/|' \
    contrib/cfrun-service.service > "$d/lib/systemd/system/cfrun-service.service"
chmod 0644 "$d/lib/systemd/system/cfrun-service.service"
install -d "$d/usr/share/lintian/overrides"
install -m 0644 packaging/deb/lintian-overrides "$d/usr/share/lintian/overrides/cfrun"
install -d "$d/DEBIAN"
install -m 0755 packaging/deb/postinst packaging/deb/prerm "$d/DEBIAN/"
install -m 0644 packaging/deb/triggers "$d/DEBIAN/"
(cd "$d" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$d/DEBIAN/md5sums"
chmod 0644 "$d/DEBIAN/md5sums"
# Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up, plus one per directory and link
size=$(cd "$d" && find . -path ./DEBIAN -prune -o \( -type f -printf '%s\n' -o -printf '1024\n' \) \
  | awk '{ s += int(($1 + 1023) / 1024) } END { print s }')
sed -e "s/@DEB_VERSION@/$deb_version/" -e "s/@INSTALLED_SIZE@/$size/" packaging/deb/control.in > "$d/DEBIAN/control"
chmod 0644 "$d/DEBIAN/control"
fix_times "$d"
deb=$out/cfrun_${deb_version}_all.deb
dpkg-deb --root-owner-group -Zxz --build "$d" "$deb" >&2

(cd "$out" && sha256sum -- cfrun-*.tar.gz cfrun_*_all.deb > SHA256SUMS)
echo ">> dist: $(cd "$out" && ls -- cfrun-*.tar.gz cfrun_*_all.deb | tr '\n' ' ')in $out" >&2
cat "$out/SHA256SUMS"
