package io.transitwatch.daemon.ingest;

import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.ObserverGrpc;
import java.io.InputStream;

/**
 * Immutable. {@code /observer.Observer/GetFlows} with a response "marshaller" that hands the
 * message's {@link InputStream} through untouched, so that {@code FlowDecoder} reads the protobuf
 * bytes itself instead of protobuf-java building a {@code GetFlowsResponse} per flow. grpc-java
 * closes that stream once {@code onNext} returns, so it must be read inside the callback.
 * Requests are ordinary generated messages.
 */
final class RawFlowsMethod {
    static final MethodDescriptor<GetFlowsRequest, InputStream> GET_FLOWS =
            ObserverGrpc.getGetFlowsMethod().toBuilder(
                            ProtoUtils.marshaller(GetFlowsRequest.getDefaultInstance()), new PassThrough())
                    .build();

    private RawFlowsMethod() {}

    private static final class PassThrough implements MethodDescriptor.Marshaller<InputStream> {
        @Override
        public InputStream stream(InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
            return stream;
        }
    }
}
