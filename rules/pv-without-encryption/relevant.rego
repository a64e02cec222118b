# The rule judges PersistentVolumes (whether their StorageClass encrypts): StorageClasses are context.
package kubescape.rules.pv_without_encryption

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"PersistentVolume"})
