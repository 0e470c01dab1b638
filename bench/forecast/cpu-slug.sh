#!/usr/bin/env bash
# The results folder's name, as the C# bench writes it (Machine.Slug): lscpu's model name in lower-case words without
# "r", "tm", "cpu" and "processor" (from "Intel(R) Xeon(R) Processor"), plus family and model, so two machines that are
# both just "AMD EPYC" under a hypervisor (Zen 4 = family 25, Zen 5 = family 26) keep their results apart.
name=$(lscpu | sed -n 's/^Model name: *//p' | tr 'A-Z' 'a-z' | tr -c 'a-z0-9' '\n' | grep -vxE 'r|tm|cpu|processor|' | paste -sd-)
family=$(lscpu | sed -n 's/^CPU family: *//p'); model=$(lscpu | sed -n 's/^Model: *//p')
echo "$name-f$family-m$model"
