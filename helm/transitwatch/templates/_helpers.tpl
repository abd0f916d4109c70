{{/* Names, labels and the daemon's configuration file. */}}

{{- define "transitwatch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "transitwatch.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "transitwatch.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "transitwatch.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "transitwatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "transitwatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "transitwatch.labels" -}}
helm.sh/chart: {{ include "transitwatch.chart" . }}
{{ include "transitwatch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: transitwatch
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "transitwatch.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "transitwatch.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "transitwatch.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Fixed paths inside the container: the daemon's docs use the same ones. */}}
{{- define "transitwatch.configDir" -}}/etc/transitwatch{{- end }}
{{- define "transitwatch.hubbleTlsDir" -}}/var/lib/transitwatch/tls{{- end }}
{{- define "transitwatch.kafkaTlsDir" -}}/var/lib/transitwatch/kafka{{- end }}
{{- define "transitwatch.slackDir" -}}/var/run/secrets/transitwatch/slack{{- end }}

{{- define "transitwatch.slackSecretName" -}}
{{- if .Values.slack.existingSecret }}
{{- .Values.slack.existingSecret }}
{{- else }}
{{- printf "%s-slack" (include "transitwatch.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "transitwatch.slackSecretKey" -}}
{{- if .Values.slack.existingSecret }}{{ .Values.slack.existingSecretKey }}{{ else }}url{{ end }}
{{- end }}

{{- define "transitwatch.slackEnabled" -}}
{{- if has "slack" .Values.sinks }}true{{ end }}
{{- end }}

{{- define "transitwatch.kafkaEnabled" -}}
{{- if has "kafka" .Values.sinks }}true{{ end }}
{{- end }}

{{- define "transitwatch.kafkaSasl" -}}
{{- if and (include "transitwatch.kafkaEnabled" .) (hasPrefix "SASL_" .Values.kafka.securityProtocol) }}true{{ end }}
{{- end }}

{{- define "transitwatch.hubbleServerName" -}}
{{- if .Values.hubble.tls.serverName }}
{{- .Values.hubble.tls.serverName }}
{{- else if eq .Values.hubble.mode "direct" }}
{{- printf "hubble-peer.%s.hubble-grpc.cilium.io" .Values.hubble.ciliumClusterName }}
{{- end }}
{{- end }}

{{/* The port of a host:port (also [v6]:port), as a number. */}}
{{- define "transitwatch.portOf" -}}
{{- splitList ":" . | last | int }}
{{- end }}

{{/* Sorted, de-duplicated TCP ports of the Kafka bootstrap servers, one per line. */}}
{{- define "transitwatch.kafkaPorts" -}}
{{- $ports := list }}
{{- range .Values.kafka.bootstrapServers }}
{{- $ports = append $ports (include "transitwatch.portOf" .) }}
{{- end }}
{{- $ports | uniq | sortAlpha | join "\n" }}
{{- end }}

{{/* Ports of the Hubble node servers in direct mode (peer targetPort, and the ports of hubble.nodes). */}}
{{- define "transitwatch.hubbleNodePorts" -}}
{{- $ports := list (toString .Values.hubble.peer.targetPort) }}
{{- range .Values.hubble.nodes }}
{{- $ports = append $ports (include "transitwatch.portOf" .) }}
{{- end }}
{{- $ports | uniq | sortAlpha | join "\n" }}
{{- end }}

{{/*
The keys of TransitWatch's configuration that the typed values set. `config` must not set them
again (validate.yaml): the daemon would reject the duplicate, or worse, one would silently win.
*/}}
{{- define "transitwatch.managedKeys" -}}
hubble.mode
hubble.relay.address
hubble.peer.address
hubble.nodes
hubble.tls.enabled
hubble.tls.ca-file
hubble.tls.cert-file
hubble.tls.key-file
hubble.tls.server-name
sinks
stdout.format
kafka.bootstrap-servers
kafka.cluster
kafka.topic.alerts
kafka.topic.incidents
kafka.producer.security.protocol
kafka.producer.sasl.mechanism
kafka.producer.sasl.jaas.config
kafka.producer.ssl.truststore.type
kafka.producer.ssl.truststore.location
slack.webhook-url-file
slack.webhook-url-env
slack.group-wait
slack.group-interval
slack.repeat-interval
http.port
{{- end }}

{{/* Dotted names of every leaf of a nested map, one per line: (dict "prefix" "" "map" $m). */}}
{{- define "transitwatch.flatKeys" -}}
{{- $prefix := .prefix }}
{{- range $key, $value := .map }}
{{- $name := ternary $key (printf "%s.%s" $prefix $key) (eq $prefix "") }}
{{- if kindIs "map" $value }}
{{ include "transitwatch.flatKeys" (dict "prefix" $name "map" $value) }}
{{- else }}
{{ $name }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The daemon's configuration (docs/configuration.md) as a nested map: the typed values, merged over
`config`. Secrets never appear here: the Slack URL is a file, the Kafka JAAS line an environment
variable, the Hubble key a file.
*/}}
{{- define "transitwatch.configMap" -}}
{{- $v := .Values }}
{{- $tlsDir := include "transitwatch.hubbleTlsDir" . }}
{{- $hubbleTls := dict "enabled" $v.hubble.tls.enabled }}
{{- if $v.hubble.tls.enabled }}
{{- $_ := set $hubbleTls "ca-file" (printf "%s/ca.crt" $tlsDir) }}
{{- $_ := set $hubbleTls "cert-file" (printf "%s/tls.crt" $tlsDir) }}
{{- $_ := set $hubbleTls "key-file" (printf "%s/tls.key" $tlsDir) }}
{{- with include "transitwatch.hubbleServerName" . }}
{{- $_ := set $hubbleTls "server-name" . }}
{{- end }}
{{- end }}
{{- $hubble := dict "mode" $v.hubble.mode "tls" $hubbleTls }}
{{- if eq $v.hubble.mode "relay" }}
{{- $_ := set $hubble "relay" (dict "address" $v.hubble.relay.address) }}
{{- else }}
{{- if $v.hubble.nodes }}
{{- $_ := set $hubble "nodes" $v.hubble.nodes }}
{{- else }}
{{- $_ := set $hubble "peer" (dict "address" $v.hubble.peer.address) }}
{{- end }}
{{- end }}
{{- $managed := dict "hubble" $hubble "sinks" $v.sinks "stdout" (dict "format" $v.stdout.format) "http" (dict "port" (int $v.http.port)) }}
{{- if include "transitwatch.kafkaEnabled" . }}
{{- $producer := deepCopy $v.kafka.producer }}
{{- $_ := set $producer "security.protocol" $v.kafka.securityProtocol }}
{{- if include "transitwatch.kafkaSasl" . }}
{{- $_ := set $producer "sasl.mechanism" $v.kafka.sasl.mechanism }}
{{- end }}
{{- if $v.kafka.tls.caSecret }}
{{- $_ := set $producer "ssl.truststore.type" "PEM" }}
{{- $_ := set $producer "ssl.truststore.location" (printf "%s/ca.crt" (include "transitwatch.kafkaTlsDir" .)) }}
{{- end }}
{{- $_ := set $managed "kafka" (dict "bootstrap-servers" $v.kafka.bootstrapServers "cluster" $v.kafka.cluster "topic" (dict "alerts" $v.kafka.topics.alerts "incidents" $v.kafka.topics.incidents) "producer" $producer) }}
{{- end }}
{{- if include "transitwatch.slackEnabled" . }}
{{- $_ := set $managed "slack" (dict "webhook-url-file" (printf "%s/url" (include "transitwatch.slackDir" .)) "group-wait" $v.slack.groupWait "group-interval" $v.slack.groupInterval "repeat-interval" $v.slack.repeatInterval) }}
{{- end }}
{{- toYaml (mustMergeOverwrite (deepCopy $v.config) $managed) }}
{{- end }}

{{/* JAVA_TOOL_OPTIONS: the chart's container flags, then jvm.extraOptions. */}}
{{- define "transitwatch.javaToolOptions" -}}
{{- $flags := list (printf "-XX:MaxRAMPercentage=%v" .Values.jvm.maxRAMPercentage) "-XX:InitialRAMPercentage=25" "-XX:+UseContainerSupport" "-XX:+ExitOnOutOfMemoryError" "-Djava.io.tmpdir=/tmp" }}
{{- with .Values.jvm.extraOptions }}
{{- $flags = append $flags . }}
{{- end }}
{{- join " " $flags }}
{{- end }}

{{/* Labels of the `helm test` pod: not the Deployment's selector labels, or its ReplicaSet would adopt it. */}}
{{- define "transitwatch.testSelectorLabels" -}}
app.kubernetes.io/name: {{ include "transitwatch.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
