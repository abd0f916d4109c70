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

{{/* Kafka is wired when it is a sink, and always in mode scaled, where it carries the pipeline itself. */}}
{{- define "transitwatch.kafkaEnabled" -}}
{{- if or (has "kafka" .Values.sinks) (eq .Values.mode "scaled") }}true{{ end }}
{{- end }}

{{- define "transitwatch.scaled" -}}
{{- if eq .Values.mode "scaled" }}true{{ end }}
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
scale.shards
scale.topic.events
scale.topic.observers
scale.topic.pair-counts
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
{{- $managed := dict "hubble" (include "transitwatch.hubbleConfig" . | fromYaml) "sinks" $v.sinks "stdout" (dict "format" $v.stdout.format) "http" (dict "port" (int $v.http.port)) }}
{{- if include "transitwatch.kafkaEnabled" . }}
{{- $_ := set $managed "kafka" (include "transitwatch.kafkaConfig" . | fromYaml) }}
{{- end }}
{{- if include "transitwatch.slackEnabled" . }}
{{- $_ := set $managed "slack" (include "transitwatch.slackConfig" . | fromYaml) }}
{{- end }}
{{- toYaml (mustMergeOverwrite (deepCopy $v.config) $managed) }}
{{- end }}

{{/* The hubble.* block of the configuration (single mode and the collectors). */}}
{{- define "transitwatch.hubbleConfig" -}}
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
{{- toYaml $hubble }}
{{- end }}

{{/*
The kafka.* block: brokers, topics, the producer and, in mode scaled (where correlators and the
incident stage consume), the consumer with the same security settings.
*/}}
{{- define "transitwatch.kafkaConfig" -}}
{{- $v := .Values }}
{{- $security := dict "security.protocol" $v.kafka.securityProtocol }}
{{- if include "transitwatch.kafkaSasl" . }}
{{- $_ := set $security "sasl.mechanism" $v.kafka.sasl.mechanism }}
{{- end }}
{{- if $v.kafka.tls.caSecret }}
{{- $_ := set $security "ssl.truststore.type" "PEM" }}
{{- $_ := set $security "ssl.truststore.location" (printf "%s/ca.crt" (include "transitwatch.kafkaTlsDir" .)) }}
{{- end }}
{{- $kafka := dict "bootstrap-servers" $v.kafka.bootstrapServers "cluster" $v.kafka.cluster "topic" (dict "alerts" $v.kafka.topics.alerts "incidents" $v.kafka.topics.incidents) "producer" (mustMergeOverwrite (deepCopy $v.kafka.producer) $security) }}
{{- if include "transitwatch.scaled" . }}
{{- $_ := set $kafka "consumer" (mustMergeOverwrite (deepCopy $v.kafka.consumer) $security) }}
{{- end }}
{{- toYaml $kafka }}
{{- end }}

{{- define "transitwatch.slackConfig" -}}
{{- $v := .Values }}
{{- toYaml (dict "webhook-url-file" (printf "%s/url" (include "transitwatch.slackDir" .)) "group-wait" $v.slack.groupWait "group-interval" $v.slack.groupInterval "repeat-interval" $v.slack.repeatInterval) }}
{{- end }}

{{/*
The configuration of one role of mode scaled, (dict "root" $ "role" "collector|correlator|incidents"):
each role gets only what it uses, so that each pod's file names only what that pod mounts (the
Slack URL file exists in the incident stage's pod alone). Per-pod values are not here: the shard
index (scale.shard-index) and the member id (scale.member-id) of a StatefulSet pod come from its
name, HOSTNAME, which the daemon reads when the keys are unset.
*/}}
{{- define "transitwatch.roleConfigMap" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $topics := $v.scaled.topics }}
{{- $scale := dict "topic" (dict "events" $topics.events "observers" $topics.observers "pair-counts" $topics.pairCounts) }}
{{- $managed := dict "kafka" (include "transitwatch.kafkaConfig" $root | fromYaml) "scale" $scale "http" (dict "port" (int $v.http.port)) }}
{{- if eq .role "collector" }}
{{- $_ := set $managed "hubble" (include "transitwatch.hubbleConfig" $root | fromYaml) }}
{{- $_ := set $scale "shards" (int $v.scaled.collector.replicas) }}
{{- else if eq .role "incidents" }}
{{- $_ := set $managed "sinks" $v.sinks }}
{{- $_ := set $managed "stdout" (dict "format" $v.stdout.format) }}
{{- if include "transitwatch.slackEnabled" $root }}
{{- $_ := set $managed "slack" (include "transitwatch.slackConfig" $root | fromYaml) }}
{{- end }}
{{- /* One incident stage at a time (strategy Recreate): a fixed static member id lets a restarted pod take its partitions back at once, and fences the old one's transactions. */}}
{{- $_ := set $scale "member-id" (include "transitwatch.roleName" (dict "root" $root "role" "incidents")) }}
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

{{/*
The container's environment, volume mounts and the pod's volumes: the same for the daemon
(deployment.yaml) and for `helm test`'s doctor (tests/test-doctor.yaml), which must see the
daemon's configuration, certificates and credentials exactly as the daemon does. In mode scaled
each role gets what it uses: Hubble's certificate only the collectors, the Slack URL only the
incident stage (see the role* helpers below).
*/}}
{{- define "transitwatch.env" -}}
{{ include "transitwatch.roleEnv" (dict "root" . "role" "single") }}
{{- end }}

{{- define "transitwatch.volumeMounts" -}}
{{ include "transitwatch.roleVolumeMounts" (dict "root" . "role" "single") }}
{{- end }}

{{- define "transitwatch.volumes" -}}
{{ include "transitwatch.roleVolumes" (dict "root" . "role" "single") }}
{{- end }}

{{/* Whether a role reads the Kubernetes API: the incident stage only reads Kafka. */}}
{{- define "transitwatch.roleReadsKubernetes" -}}
{{- and .root.Values.kubernetes.enabled (ne .role "incidents") }}
{{- end }}

{{- define "transitwatch.roleHubbleTls" -}}
{{- if and .root.Values.hubble.tls.enabled (has .role (list "single" "collector")) }}true{{ end }}
{{- end }}

{{- define "transitwatch.roleSlack" -}}
{{- if and (include "transitwatch.slackEnabled" .root) (has .role (list "single" "incidents")) }}true{{ end }}
{{- end }}

{{/* (dict "root" $ "role" "single|collector|correlator|incidents") */}}
{{- define "transitwatch.roleEnv" -}}
{{- $v := .root.Values }}
{{- $kafkaSasl := include "transitwatch.kafkaSasl" .root -}}
{{- $jaasKeys := list "PRODUCER" }}
{{- if include "transitwatch.scaled" .root }}
{{- $jaasKeys = append $jaasKeys "CONSUMER" }}
{{- end -}}
- name: JAVA_TOOL_OPTIONS
  value: {{ include "transitwatch.javaToolOptions" .root | quote }}
# kubernetes.enabled, through the environment (the daemon's TRANSITWATCH_<KEY> form): placements, node
# addresses and Cilium's settings from the Kubernetes API, with the RBAC of rbac.yaml.
- name: TRANSITWATCH_KUBERNETES_ENABLED
  value: {{ include "transitwatch.roleReadsKubernetes" . | quote }}
{{- if $kafkaSasl }}
{{- if $v.kafka.sasl.jaasConfigKey }}
# The whole JAAS line from the Secret; it never appears in the ConfigMap or in values.
{{- range $jaasKeys }}
- name: TRANSITWATCH_KAFKA_{{ . }}_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ $v.kafka.sasl.existingSecret }}
      key: {{ $v.kafka.sasl.jaasConfigKey }}
{{- end }}
{{- else }}
- name: KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $v.kafka.sasl.existingSecret }}
      key: {{ $v.kafka.sasl.usernameKey }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $v.kafka.sasl.existingSecret }}
      key: {{ $v.kafka.sasl.passwordKey }}
# Kubernetes expands $(VAR) from the two variables above when it starts the container.
{{- range $jaasKeys }}
- name: TRANSITWATCH_KAFKA_{{ . }}_SASL_JAAS_CONFIG
  value: {{ printf "%s required username=\"$(KAFKA_SASL_USERNAME)\" password=\"$(KAFKA_SASL_PASSWORD)\";" (ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq $v.kafka.sasl.mechanism "PLAIN")) | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "transitwatch.roleVolumeMounts" -}}
{{- $v := .root.Values }}
{{- $tlsDir := include "transitwatch.hubbleTlsDir" .root -}}
- name: config
  mountPath: {{ include "transitwatch.configDir" .root }}
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- if include "transitwatch.roleHubbleTls" . }}
- name: hubble-tls
  mountPath: {{ $tlsDir }}
  readOnly: true
{{- end }}
{{- if and (include "transitwatch.kafkaEnabled" .root) $v.kafka.tls.caSecret }}
- name: kafka-tls
  mountPath: {{ include "transitwatch.kafkaTlsDir" .root }}
  readOnly: true
{{- end }}
{{- if include "transitwatch.roleSlack" . }}
- name: slack-webhook
  mountPath: {{ include "transitwatch.slackDir" .root }}
  readOnly: true
{{- end }}
{{- with $v.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "transitwatch.roleVolumes" -}}
{{- $v := .root.Values -}}
- name: config
  configMap:
    name: {{ if eq .role "single" }}{{ include "transitwatch.fullname" .root }}{{ else }}{{ include "transitwatch.roleName" . }}{{ end }}
    items:
      - key: config.yaml
        path: config.yaml
# The root file system is read-only; the JVM writes its temporary files here.
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: {{ $v.tmpSizeLimit }}
{{- if include "transitwatch.roleHubbleTls" . }}
# Client certificate for mTLS to Hubble (Cilium's hubble-relay-client-certs by default).
- name: hubble-tls
  secret:
    secretName: {{ $v.hubble.tls.existingSecret }}
    defaultMode: 0400
    items:
      - key: ca.crt
        path: ca.crt
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
{{- end }}
{{- if and (include "transitwatch.kafkaEnabled" .root) $v.kafka.tls.caSecret }}
- name: kafka-tls
  secret:
    secretName: {{ $v.kafka.tls.caSecret }}
    defaultMode: 0400
    items:
      - key: {{ $v.kafka.tls.caKey }}
        path: ca.crt
{{- end }}
{{- if include "transitwatch.roleSlack" . }}
# The webhook URL as a file (slack.webhook-url-file); the daemon never logs it.
- name: slack-webhook
  secret:
    secretName: {{ include "transitwatch.slackSecretName" .root }}
    defaultMode: 0400
    items:
      - key: {{ include "transitwatch.slackSecretKey" .root }}
        path: url
{{- end }}
{{- with $v.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of the doctor `helm test` pod: the network policies select it with the daemon, the Deployment does not. */}}
{{- define "transitwatch.doctorSelectorLabels" -}}
app.kubernetes.io/name: {{ include "transitwatch.name" . }}-doctor
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The pods the network policies apply to: the daemon and the doctor test pod, which talks to the same
Hubble and Kubernetes API (matchExpressions, because they differ in app.kubernetes.io/name).
*/}}
{{- define "transitwatch.policySelector" -}}
matchLabels:
  app.kubernetes.io/instance: {{ .Release.Name }}
matchExpressions:
  - key: app.kubernetes.io/name
    operator: In
    values:
      - {{ include "transitwatch.name" . }}
      - {{ include "transitwatch.name" . }}-doctor
{{- end }}
