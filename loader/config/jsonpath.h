/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kubectl's JSONPath templates (`kubectl get -o jsonpath=TEMPLATE`, the
 * grammar of k8s.io/client-go/util/jsonpath) over a value tree, so
 * `gwctl get gateway eg -o jsonpath='{.status.addresses[0].value}'` prints
 * what kubectl prints for the same object:
 *
 *   text{EXPR}text ...       text is copied, each {EXPR} prints its results
 *                            separated by one space
 *   $ @ .name ['name'] ..name  root, current, field, recursive descent
 *   [n] [-n] [a:b] [a:b:s] [*] .*   indexes, slices, wildcards
 *   [?(@.a == "x")]  == != < <= > >=, and [?(@.a)] for existence
 *   {.a,.b}  {"\n"}  {range EXPR}...{end}   union, literal, iteration
 *
 * As kubectl get does, a missing key prints nothing, while an index out of
 * range is an error. Strings print raw, numbers and booleans as text, maps
 * and lists as compact JSON with sorted keys.
 */
#ifndef GW_JSONPATH_H
#define GW_JSONPATH_H

#include <stddef.h>
#include <stdio.h>

#include "yval.h"

/**
 * Evaluates tmpl against root and writes the output to out. Returns 0, or
 * -EINVAL with err set to "error parsing jsonpath ...: why" or "error
 * executing jsonpath ...: why" (nothing is written on a parse error),
 * -ENOMEM.
 */
int gw_jsonpath(FILE *out, const char *tmpl, const struct gw_yval *root, char *err,
		size_t errlen);

#endif
