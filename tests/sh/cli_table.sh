# cli_table.sh — the command line comes from one table (src/cli/cli_table.c): every command's
# usage is in `chungthu --help`, every group answers `chungthu GROUP --help`, every option a
# usage shows is one the parser takes (and no other), an unknown or missing subcommand is one
# usage error (exit 2) naming the group's commands, and usage errors show the command's usage.
# Nothing here needs an instance: arguments are parsed before one is opened.
. "$(dirname "$0")/../lib.sh"
export CHUNGTHU_HOME="$T/none"

flat() { tr -s ' \n' '  ' | sed 's/^ //; s/ $//'; } # one line, single spaces
# status COMMAND...: the exit status; stdout in $T/out, stderr in $T/err
status() { "$@" >"$T/out" 2>"$T/err"; echo $?; }

same "--help exits 0" 0 "$(status ct --help)"
cp "$T/out" "$T/help"
all=$(flat <"$T/help")
groups=$(sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' "$T/help" | uniq | paste -sd ' ')
same "the groups, in order" "init ca ceremony serve cert crl ocsp agency token user login logout whoami approval dossier run-due mail calendar audit doctor backup restore store report demo help" "$groups"
contains "a usage from the table" 'dossier accept CODE [--reason TEXT]' "$all"
contains "a placeholder with a space stays whole" 'dossier notify-pickup CODE --at "YYYY-MM-DD HH:MM" --place TEXT [--applicant N]' "$all"
contains "options of which exactly one is given" 'cert issue (--csr FILE | --pubkey FILE) --name TEXT' "$all"
contains "a repeated option" '[--unit TEXT]...' "$all"
for care in reset-pin broken returned destroy; do
    contains "token care: $care" "token $care SERIAL [--reason TEXT] [--json]" "$all"
done
contains "token care: lost" 'token lost SERIAL --reason TEXT [--json]' "$all"
contains "token care as a dossier step" 'dossier reset-pin CODE [--applicant N]' "$all"

rows=0
for g in $groups; do
    same "$g --help exits 0" 0 "$(status ct "$g" --help)"
    # The group's rows: a line "  GROUP ..." and the usage's continuation lines (indented 7 or
    # more; what a command does is indented 6), joined.
    awk -v g="$g" '
        $0 ~ "^  " g "( |$)" { if (row != "") print row; row = $0; next }
        /^       / && row != "" { row = row " " $0; next }
        { if (row != "") print row; row = "" }
        END { if (row != "") print row }' "$T/out" | sed 's/^ *//; s/  */ /g' >"$T/rows.$g"
    [ -s "$T/rows.$g" ] && pass || fail "$g --help lists no command"
    [ "$(grep -c '^      [^ ]' "$T/out")" -ge "$(wc -l <"$T/rows.$g")" ] && pass || fail "$g --help: a command without what it does"
    subs=""
    while IFS= read -r row; do
        rows=$((rows + 1))
        contains "$row: in --help" "$row" "$all"
        sub=$(printf '%s' "$row" | awk '{ print $2 }')
        printf '%s' "$sub" | grep -qE '^[a-z][a-z-]*$' || sub=""
        [ -n "$sub" ] && subs="$subs${subs:+, }$sub"
        # every option the usage shows is parsed (each given a value; a flag's value is a stray
        # operand, which is checked only after --help would have stopped the parse)
        set -- $(printf '%s' "$row" | grep -oE -- '--[a-z][a-z-]*' | sed 's/$/ x/')
        same "$row: each option shown is parsed" 0 "$(status ct "$g" ${sub:+"$sub"} "$@" --help)"
        contains "$row: its --help shows it" "$row" "$(flat <"$T/out")"
        same "$row: an option not shown is refused" 2 "$(status ct "$g" ${sub:+"$sub"} --no-such-option --help)"
        contains "$row: ... naming it" "unknown option --no-such-option" "$(cat "$T/err")"
        contains "$row: ... with the usage" "usage: chungthu $row" "$(flat <"$T/err")"
    done <"$T/rows.$g"
    if [ -n "$subs" ]; then
        same "$g: an unknown subcommand is a usage error" 2 "$(status ct "$g" no-such-command)"
        contains "$g: ... listing the group's commands" "$g commands: $subs (chungthu $g --help)" "$(cat "$T/err")"
        same "$g: no subcommand is a usage error" 2 "$(status ct "$g")"
        contains "$g: ... listing the group's commands" "$g commands: $subs" "$(cat "$T/err")"
    fi
done
same "every row of --help belongs to a group's --help" "$(grep -c '^  [a-z]' "$T/help")" "$rows"

same "no command: usage error" 2 "$(status ct)"
contains "... with the whole usage" "dossier accept CODE [--reason TEXT]" "$(flat <"$T/err")"
same "unknown command" 2 "$(status ct no-such-group)"
contains "... listing the groups" "commands: init, ca, ceremony, serve, cert, crl, ocsp, agency, token, user, login, logout, whoami, approval, dossier, run-due, mail, calendar, audit, doctor, backup, restore, store, report, demo, help" "$(cat "$T/err")"
same "unknown global option" 2 "$(status ct --no-such-option cert list)"
same "an operand missing" 2 "$(status ct dossier accept)"
contains "... named" "dossier accept needs CODE" "$(cat "$T/err")"
same "an operand too many" 2 "$(status ct dossier accept A B)"
contains "... named" 'unexpected argument "B"' "$(cat "$T/err")"
same "an option of another step" 2 "$(status ct dossier accept A --place X)"
same "an option given twice" 2 "$(status ct dossier accept A --reason x --reason y)"
same "an option without its value" 2 "$(status ct dossier accept A --reason)"
same "both --csr and --pubkey" 2 "$(status ct cert issue --csr a --pubkey b --name n)"
contains "... exactly one" "cert issue needs exactly one of --csr FILE or --pubkey FILE" "$(cat "$T/err")"
same "neither --csr nor --pubkey" 2 "$(status ct cert issue --name n)"
same "a required option missing" 2 "$(status ct ocsp respond --in x)"
contains "... named" "ocsp respond needs --out RESPONSE.der" "$(cat "$T/err")"
# a handler's own check of a value is a usage error too, with the usage
same "a bad value" 2 "$(status ct calendar add-working-days 2026-01-05 three)"
contains "... with the usage" "usage: chungthu calendar add-working-days DATE N [--json]" "$(cat "$T/err")"
same "a working day: 0" 0 "$(status ct calendar is-working-day 2026-01-05)"
same "a refused input: 1" 1 "$(status ct calendar add-working-days 1899-12-31 1)"
contains "... with its code" "[calendar.range]" "$(cat "$T/err")"
same "no instance: refused" 1 "$(status ct cert list)"
finish
