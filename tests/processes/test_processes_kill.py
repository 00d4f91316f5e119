"""A worker killed in the middle of a process: the instance resumes from its saved state, done steps are not redone."""

import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kontora.automation.processes import services
from kontora.automation.processes.models import ProcessInstance, ProcessStep
from kontora.crm.models import Comment
from tests.factories import make_deal
from tests.support.processes import Process, free_port, process_env, run_command, wait_for

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="three_steps" name="Three steps" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="first" name="First">
      <bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="add_comment" resultVariable="">
        <spiffworkflow:parameters>
          <spiffworkflow:parameter id="text" type="str" value="'first'"/>
        </spiffworkflow:parameters>
      </spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="call" name="Call the outside">
      <bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="webhook" resultVariable="">
        <spiffworkflow:parameters>
          <spiffworkflow:parameter id="url" type="str" value="'URL'"/>
        </spiffworkflow:parameters>
      </spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="third" name="Third">
      <bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="add_comment" resultVariable="">
        <spiffworkflow:parameters>
          <spiffworkflow:parameter id="text" type="str" value="'third'"/>
        </spiffworkflow:parameters>
      </spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="call"/>
    <bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="third"/>
    <bpmn:sequenceFlow id="f4" sourceRef="third" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


class Outside(BaseHTTPRequestHandler):
    """The first call hangs (the worker is killed meanwhile); later calls answer at once."""

    calls = 0

    def do_POST(self):  # noqa: N802  the http.server API
        type(self).calls += 1
        if type(self).calls == 1:
            time.sleep(20)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_killed_worker_resumes_the_process_without_repeating_a_step(org, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Outside)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    template = services.create_template(by=org.admin, bpmn=DIAGRAM.replace("URL", url), document_type="deal")
    deal = make_deal("Сделка", by=org.sales_rep)
    env = process_env("embedded", tmp_path, KONTORA_JOB_LEASE_SECONDS="3")
    workers = [Process(["worker"], env, tmp_path / "worker0.log")]
    try:
        run_command(
            env,
            "from kontora.accounts.models import User\nfrom kontora.crm.models import Deal\n"
            "from kontora.automation.processes import services\n"
            "from kontora.automation.processes.models import ProcessTemplate\n"
            f"services.start(ProcessTemplate.objects.get(pk={template.pk}), Deal.objects.get(pk={deal.pk}), "
            f"by=User.objects.get(pk={org.sales_rep.pk}))",
        )
        wait_for(lambda: Outside.calls == 1, what="the call to the outside\n" + workers[0].output())
        workers[0].kill(signal.SIGKILL)  # in the middle of the second step

        instance = ProcessInstance.objects.get()
        assert instance.status == "running"
        assert list(Comment.objects.filter(entity_id=deal.pk).values_list("text", flat=True)) == ["first"]
        workers.append(Process(["worker"], env, tmp_path / "worker1.log"))
        time.sleep(3.5)  # the killed worker's lease runs out
        run_command(env, "from kontora.core import durable\ndurable.sweep()")
        wait_for(
            lambda: ProcessInstance.objects.filter(status="completed").exists(),
            what="the instance to complete\n" + workers[1].output(),
        )
        texts = sorted(Comment.objects.filter(entity_id=deal.pk).values_list("text", flat=True))
        assert texts == ["first", "third"]
        assert ProcessStep.objects.filter(instance=instance, element="first").count() == 1
        assert ProcessStep.objects.filter(instance=instance, element="call").count() == 1
        assert Outside.calls == 2  # the call in flight was made again: the outside world is at-least-once
    finally:
        for worker in workers:
            worker.stop()
        server.shutdown()
