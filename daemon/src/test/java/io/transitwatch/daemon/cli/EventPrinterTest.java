package io.transitwatch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.decode.FlowDecoder;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.testsupport.TestFlows;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventPrinterTest {
    private static final long T = 1_795_274_640_123_456_789L; // 2026-11-21T15:24:00.123456789Z

    private final StringDictionary dictionary = new StringDictionary(256);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private String print(EventPrinter.Format format, NodeEvent event) {
        new EventPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), dictionary, format).onEvent(event, true);
        return bytes.toString(StandardCharsets.UTF_8).trim();
    }

    private NodeEvent syn() {
        byte[] message = TestFlows.response(TestFlows.syn("solwk03", T, 47972)
                .setUuid("d54c1e24-8985-4710-b275-b19b15aed350").build()).toByteArray();
        NodeEvent event = new NodeEvent();
        new FlowDecoder(dictionary).decode(message, 0, message.length, event);
        event.receivedNanos = T + 1_000_000;
        return event;
    }

    @Test
    void printsAFlowAsOneTextLine() {
        assertEquals("2026-11-21T15:24:00.123456789Z solwk03 FLOW TO_NETWORK FORWARDED TCP [SYN] "
                + "[fd00:101:224:5::10]:47972 -> [fd00:101:224:4::20]:9090 NEW "
                + "flux-system/kustomize-controller-57bbd7c-fdtpk -> flux-system/source-controller-6ccfd78764-rzfnk",
                print(EventPrinter.Format.TEXT, syn()));
    }

    @Test
    void printsAFlowAsOneJsonObject() {
        assertEquals("{\"schema\":\"transitwatch.node-event/v1\",\"kind\":\"FLOW\",\"node\":\"solwk03\","
                + "\"time\":\"2026-11-21T15:24:00.123456789Z\",\"received\":\"2026-11-21T15:24:00.124456789Z\","
                + "\"uuid\":\"d54c1e24-8985-4710-b275-b19b15aed350\",\"observation_point\":\"TO_NETWORK\","
                + "\"verdict\":\"FORWARDED\",\"trace_reason\":\"NEW\",\"is_reply\":false,\"family\":\"IPv6\","
                + "\"protocol\":\"TCP\",\"tcp_flags\":\"SYN\",\"source\":{\"ip\":\"fd00:101:224:5::10\",\"port\":47972,"
                + "\"namespace\":\"flux-system\",\"pod\":\"kustomize-controller-57bbd7c-fdtpk\","
                + "\"workload\":\"kustomize-controller\",\"identity\":44187,\"endpoint_id\":1234},"
                + "\"destination\":{\"ip\":\"fd00:101:224:4::20\",\"port\":9090,\"namespace\":\"flux-system\","
                + "\"pod\":\"source-controller-6ccfd78764-rzfnk\",\"workload\":\"\",\"identity\":41034,\"endpoint_id\":0},"
                + "\"event_type\":4,\"event_sub_type\":11,\"interface\":\"ens18\",\"interface_index\":2}",
                print(EventPrinter.Format.JSON, syn()));
    }

    @Test
    void printsNodeDownWithItsReasonEscapedInJson() {
        NodeEvent down = new NodeEvent();
        down.clear();
        down.kind = NodeEvent.NODE_DOWN;
        down.node = dictionary.intern("solwk02");
        down.timeNanos = T;
        down.reason = dictionary.intern("solwk02 (127.0.0.1:4301): TLS handshake failed: \"quoted\"");
        assertEquals("2026-11-21T15:24:00.123456789Z solwk02 NODE_DOWN solwk02 (127.0.0.1:4301): TLS handshake failed: "
                + "\"quoted\"", print(EventPrinter.Format.TEXT, down));
        bytes.reset();
        assertEquals(true, print(EventPrinter.Format.JSON, down).endsWith(
                "\"reason\":\"solwk02 (127.0.0.1:4301): TLS handshake failed: \\\"quoted\\\"\"}"));
    }
}
