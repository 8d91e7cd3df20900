# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for instar(1): instar's options, the map command and
# qemu-img map's options. Installed as
# share/bash-completion/completions/instar.

_instar()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD-1]}
    local opt=$prev i cmd=

    # "--opt=value" arrives as three words: --opt, =, value.
    if [[ $cur == "=" ]]; then
        opt=$prev
        cur=
    elif [[ $prev == "=" ]]; then
        opt=${COMP_WORDS[COMP_CWORD-2]}
    fi
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} == map ]]; then
            cmd=map
            break
        fi
    done

    COMPREPLY=()
    case $opt in
        --qemu-compat)
            COMPREPLY=($(compgen -W "5.2 6.0 6.1 6.2 7.0 7.1 7.2 8.0 8.1 8.2
                9.0 9.1 9.2 10.0 10.1 10.2 11.0 11.1" -- "$cur"))
            return ;;
        --allow-path)
            COMPREPLY=($(compgen -d -- "$cur"))
            return ;;
        -f | --format)
            COMPREPLY=($(compgen -W "raw qcow2 vmdk vpc vhdx file" -- "$cur"))
            return ;;
        --output)
            COMPREPLY=($(compgen -W "human json" -- "$cur"))
            return ;;
        -s | --start-offset | -l | --max-length)
            return ;;
    esac

    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "map --qemu-compat= --allow-path= --help
            --version" -- "$cur"))
    elif [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--qemu-compat= --allow-path= -f --format=
            --output= -s --start-offset= -l --max-length= -U --force-share
            -h --help" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
    # Leave the cursor after "--opt=" for its value.
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
        compopt -o nospace 2>/dev/null
    fi
}
complete -o filenames -F _instar instar
