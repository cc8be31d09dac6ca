#!/bin/sh
# Adds CTPN Desktop to the desktop of the current user: the menu entry, the icon, and the .ctpn file type, so
# exercise files open with a double click. Nothing outside the user's own data folder is touched.
#
#   sh packaging/linux/install.sh [PROGRAM]
#
# PROGRAM is the ctpn-desktop to start: the one inside the standalone folder (dist/ctpn-desktop/ctpn-desktop)
# or the one the offline kit installed. Without it: the standalone folder this script sits in (its linux/
# folder), else the ctpn-desktop found on PATH.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${XDG_DATA_HOME:-"$HOME/.local/share"}

if [ -n "${1:-}" ]; then
    PROGRAM=$1
elif [ -x "$HERE/../ctpn-desktop" ]; then
    PROGRAM=$HERE/../ctpn-desktop
else
    PROGRAM=$(command -v ctpn-desktop || true)
fi
if [ -z "$PROGRAM" ] || [ ! -x "$PROGRAM" ]; then
    echo "No ctpn-desktop program found. Name it: sh $0 /path/to/ctpn-desktop" >&2
    exit 1
fi
PROGRAM=$(cd "$(dirname "$PROGRAM")" && pwd)/$(basename "$PROGRAM")

ICON="$HERE/ctpn-desktop.svg"                                   # beside this script in the standalone folder
[ -f "$ICON" ] || ICON="$HERE/../../resources/icons/ctpn-desktop.svg"  # in a checkout

mkdir -p "$DATA/applications" "$DATA/icons/hicolor/scalable/apps" "$DATA/icons/hicolor/scalable/mimetypes" \
    "$DATA/mime/packages"
cp "$ICON" "$DATA/icons/hicolor/scalable/apps/ctpn-desktop.svg"
cp "$ICON" "$DATA/icons/hicolor/scalable/mimetypes/application-x-ctpn.svg"
cp "$HERE/ctpn-desktop-mime.xml" "$DATA/mime/packages/ctpn-desktop.xml"
# The program path is quoted for the desktop entry: spaces and the few reserved characters are escaped.
QUOTED=$(printf '%s' "$PROGRAM" | sed -e 's/\\/\\\\\\\\/g' -e 's/"/\\\\"/g' -e 's/`/\\\\`/g' -e 's/\$/\\\\$/g')
sed -e "s|^Exec=.*|Exec=\"$QUOTED\" %f|" -e "s|^TryExec=.*|TryExec=$PROGRAM|" \
    "$HERE/ctpn-desktop.desktop" > "$DATA/applications/ctpn-desktop.desktop"

if command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database "$DATA/mime"
fi
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database "$DATA/applications"
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t "$DATA/icons/hicolor" || true
fi
echo "CTPN Desktop added to the applications menu; .ctpn files open with $PROGRAM"
