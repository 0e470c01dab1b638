#!/usr/bin/env bash
# The results folder's name: lscpu's model name plus family and model, so two machines that are both just
# "AMD EPYC" under a hypervisor (Zen 4 = family 25, Zen 5 = family 26) keep their results apart.
name=$(lscpu | sed -n 's/^Model name: *//p' | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9]\+/-/g; s/^-//; s/-$//')
family=$(lscpu | sed -n 's/^CPU family: *//p'); model=$(lscpu | sed -n 's/^Model: *//p')
echo "$name-f$family-m$model"
